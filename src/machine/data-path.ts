// The data path as it should be, as plans: what flanneld, its device and route, forwarding, the container
// bridge and the rules must look like for containers on this machine to reach the others. Pure: facts in,
// actions out, empty when nothing differs. Hooks apply these actions; ./health names the first that breaks
// traffic; the fast path is an empty plan. Nothing else describes the data path.
import { findMissingForwardRules, TAG } from "../bridges/forward-plan";
import { computeLxcAddressing } from "../bridges/lxc/lxc-net";
import { IPTABLES_WAIT } from "../bridges/lxc/masquerade";
import { planNatRepair } from "../bridges/nat-plan";
import type { Backend, ContainerType } from "../config/choices";
import type { Lease } from "../flannel/subnet-env";
import { type Action, act } from "./actions";
import { BRIDGE_NAMES, FLANNEL_DEVICE_NAMES, type MachineFacts } from "./facts";

/** What the data path must serve: the machine's container type and backend, and whether to masquerade. */
export interface DataPathWant {
  readonly containerType: ContainerType;
  readonly backend: Backend;
  readonly ipMasq: boolean;
}

/**
 * Whether the bridge's files are as the lease renders them: hooks compare them (they know the config);
 * ./health does not look at files, only at what the kernel does with them.
 */
export interface BridgeFilesFacts {
  readonly same: boolean;
}

/** Every action the data path needs, in apply order; a plan past the lease needs a held lease. */
export function planDataPath(facts: MachineFacts, want: DataPathWant, files?: BridgeFilesFacts): Action[] {
  const lease = facts.lease?.ok ? facts.lease.lease : undefined;
  const early = [...planLease(facts), ...planIpForward(facts)];
  if (lease === undefined || !facts.flanneldRunning) return early;
  return [
    ...early,
    ...planFlannelDevice(facts, want.backend, lease),
    ...planBridge(facts, want.containerType, lease, files),
    ...planNat(facts, want, lease),
    ...planForward(facts, want.containerType, lease),
  ];
}

/** The lease the running flanneld holds: subnet.env written since it started. */
export function leaseOf(facts: MachineFacts): Lease | undefined {
  return facts.flanneldRunning && facts.lease?.ok ? facts.lease.lease : undefined;
}

/** flanneld running and holding a readable lease, or what to do about it. */
export function planLease(facts: MachineFacts): Action[] {
  if (!facts.flanneldRunning)
    return [act("lease", { kind: "start-flanneld" }, "flanneld is not running", "flanneld-inactive")];
  if (facts.leaseFileLost)
    return [act("lease", { kind: "restart-flanneld" }, "subnet.env was deleted under flanneld", "no-lease")];
  if (facts.lease === undefined)
    return [act("lease", { kind: "wait-for-lease" }, "flanneld holds no lease yet", "no-lease")];
  if (!facts.lease.ok)
    return [act("lease", { kind: "wait-for-lease" }, `subnet.env: ${facts.lease.problem}`, "bad-lease")];
  // Peers send this machine's overlay traffic to the address in its lease: one the machine no longer has
  // (renumbered) is the full reconcile's to re-register, from the address Juju gives it.
  const { announced } = facts;
  if (
    announced !== undefined &&
    facts.localAddresses.length > 0 &&
    !facts.localAddresses.includes(announced)
  ) {
    const why = `flanneld announces ${announced}, no longer an address of this machine`;
    return [act("lease", { kind: "reconcile-inputs" }, why, "public-ip-gone")];
  }
  return [];
}

function planIpForward(facts: MachineFacts): Action[] {
  if (facts.ipForward === "1") return [];
  return [act("ip-forward", { kind: "set-ip-forward" }, "net.ipv4.ip_forward is off", "ip-forward-off")];
}

function planFlannelDevice(facts: MachineFacts, backend: Backend, lease: Lease): Action[] {
  const name = FLANNEL_DEVICE_NAMES[backend];
  if (name === undefined) return [];
  const device = facts.flannelDevice;
  const step = "flannel-device";
  if (device === undefined)
    return [act(step, { kind: "restart-flanneld" }, `${name} is missing`, "flannel-device-missing")];
  if (!device.up)
    return [act(step, { kind: "link-up", device: name }, `${name} is down`, "flannel-device-down")];
  const actions: Action[] = [];
  if (device.mtu !== lease.mtu) {
    const why = `${name}'s MTU is ${device.mtu}, the lease's ${lease.mtu}`;
    actions.push(
      act(step, { kind: "link-mtu", device: name, mtu: lease.mtu }, why, "flannel-device-mismatch"),
    );
  }
  // The udp backend reaches the whole network through its TUN device; vxlan adds a route per peer.
  const routed = facts.routes.some((route) => route.destination === lease.network && route.device === name);
  if (backend === "udp" && !routed) {
    // The route flanneld adds when it sets up its device, added the same way: flanneld itself was right.
    const why = `no route to ${lease.network} through ${name}`;
    const effect = { kind: "add-route", device: name, destination: lease.network } as const;
    actions.push(act(step, effect, why, "overlay-route-missing"));
  }
  return actions;
}

function planBridge(
  facts: MachineFacts,
  type: ContainerType,
  lease: Lease,
  files: BridgeFilesFacts | undefined,
): Action[] {
  const name = BRIDGE_NAMES[type];
  if (name === undefined) return [];
  if (files !== undefined && !files.same) {
    const effect =
      type === "lxc" ? { kind: "ensure-lxc-files" as const } : { kind: "ensure-docker-bridge" as const };
    return [act("bridge-files", effect, `${name}'s files differ from the lease`)];
  }
  const bridge = facts.bridge;
  const rebuild =
    type === "lxc" ? { kind: "restart-lxc-net" as const } : { kind: "ensure-docker-bridge" as const };
  if (bridge === undefined) {
    const effect = type === "lxc" ? rebuild : { kind: "restart-docker" as const };
    return [act("bridge", effect, `${name} is missing`, "bridge-missing")];
  }
  const actions: Action[] = [];
  if (!bridge.addresses.includes(lease.subnet))
    actions.push(act("bridge", rebuild, `${name} lacks ${lease.subnet}`, "bridge-mismatch"));
  if (!bridge.up)
    actions.push(act("bridge", { kind: "link-up", device: name }, `${name} is down`, "bridge-down"));
  if (bridge.mtu !== lease.mtu) {
    const why = `${name}'s MTU is ${bridge.mtu}, the lease's ${lease.mtu}`;
    actions.push(act("bridge", { kind: "link-mtu", device: name, mtu: lease.mtu }, why, "mtu-mismatch"));
  }
  if (facts.detachedVeths.length > 0) {
    const veths = facts.detachedVeths;
    const why = `containers' veths ${veths.join(", ")} are on no bridge`;
    actions.push(act("bridge", { kind: "attach-veths", device: name, veths }, why, "containers-detached"));
  }
  return type === "lxc" ? [...actions, ...planLxcNet(facts, lease)] : actions;
}

/** The rules lxc-net adds at start (Debian's /usr/libexec/lxc/lxc-net), as `iptables -S` lists them. */
function lxcNetRules(subnet: string) {
  const input = ["udp", "tcp"].flatMap((proto) =>
    ["67", "53"].map((port) => `-A INPUT -i lxcbr0 -p ${proto} -m ${proto} --dport ${port} -j ACCEPT`),
  );
  return {
    nat: [`-A POSTROUTING -s ${subnet} ! -d ${subnet} -j MASQUERADE`],
    input,
    forward: ["-A FORWARD -i lxcbr0 -j ACCEPT", "-A FORWARD -o lxcbr0 -j ACCEPT"],
  };
}

// lxc-net's dnsmasq hands out the containers' addresses; its own rules let them out of the overlay and, where
// a firewall drops by default, let DHCP, DNS and the bridge's traffic through.
function planLxcNet(facts: MachineFacts, lease: Lease): Action[] {
  const restart = { kind: "restart-lxc-net" as const };
  if (!facts.lxcNet?.started || !facts.lxcNet.dnsmasq)
    return [act("bridge", restart, "lxc-net or its dnsmasq is not running", "lxc-net-down")];
  const rules = lxcNetRules(computeLxcAddressing(lease).network);
  const missing = (listing: string | undefined, lines: string[]) =>
    listing !== undefined && lines.some((line) => !has(listing, line));
  const filter = facts.filterRules;
  const breaking =
    missing(facts.natRules, rules.nat) ||
    (missing(filter, rules.input) && !has(filter ?? "", "-P INPUT ACCEPT")) ||
    (missing(filter, rules.forward) && !has(filter ?? "", "-P FORWARD ACCEPT"));
  if (!breaking && !missing(filter, [...rules.input, ...rules.forward])) return [];
  const why = "lxc-net's own iptables rules are gone";
  return [act("bridge", restart, why, breaking ? "lxc-net-rules-missing" : undefined)];
}

function planNat(facts: MachineFacts, want: DataPathWant, lease: Lease): Action[] {
  if (facts.natRules === undefined || want.containerType === "none") return [];
  const plan = planNatRepair(facts.natRules, lease, want.containerType, want.ipMasq);
  const nat = [...IPTABLES_WAIT, "-t", "nat"];
  const deleteReason = want.containerType === "docker" ? "nat-masquerade" : "nat-exemption-missing";
  return [
    ...plan.delete.map((rule) =>
      act(
        "nat",
        { kind: "iptables", args: [...nat, "-D", "POSTROUTING", ...rule] },
        "nat rule in the way",
        deleteReason,
      ),
    ),
    ...plan.insert.map((rule) =>
      act(
        "nat",
        { kind: "iptables", args: [...nat, "-I", "POSTROUTING", "1", ...rule] },
        "nat exemption missing",
        "nat-exemption-missing",
      ),
    ),
  ];
}

function planForward(facts: MachineFacts, type: ContainerType, lease: Lease): Action[] {
  const listing = facts.filterRules;
  if (listing === undefined) return [];
  if (type === "none") {
    // Without a bridge the charm keeps no FORWARD rules, whatever network an earlier one named.
    const ours = listing
      .split("\n")
      .filter((line) => line.startsWith("-A FORWARD ") && line.includes(TAG.join(" ")));
    return ours.map((line) =>
      act(
        "forward",
        { kind: "iptables", args: [...IPTABLES_WAIT, "-D", "FORWARD", ...line.trim().split(" ").slice(2)] },
        "a FORWARD rule of the charm is left",
      ),
    );
  }
  // Only a FORWARD that drops makes the missing accept rules stop the overlay now.
  const drops = !has(listing, "-P FORWARD ACCEPT");
  return findMissingForwardRules(listing, lease.network).map((rule) =>
    act(
      "forward",
      { kind: "iptables", args: [...IPTABLES_WAIT, "-I", "FORWARD", "1", ...rule] },
      "FORWARD accept rule missing",
      drops ? "forward-dropped" : undefined,
    ),
  );
}

function has(listing: string, line: string): boolean {
  return listing.split("\n").some((candidate) => candidate.trim() === line);
}
