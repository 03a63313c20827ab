import { STARTUP_SNAPSHOT_DIR as NODE_STARTUP } from "../../src/runtime/startup-snapshot";
import { FLANNELD_BINARY } from "../support/paths";
import { bridgeService, type FaultKind, type Host, injectOnly, sh, subnetEnv } from "./context";

// Drifts: one thing a step of the charm owns is deleted, edited, stopped, flushed or downed (by an operator,
// a package or a crash) and left so. Nothing heals them but the charm: each must be repaired by the next
// update-status. `leftover` says what is still wrong after the recovery window; `restore` is the hand repair
// the soak then makes so later faults land on a sound machine.

const UNIT_FILE = "/etc/systemd/system/flannel.service";
const FLANNELD = "/usr/local/bin/flanneld";
const LXC_NET = "/etc/default/lxc-net";
const MODEL = "/var/lib/juju-emulator/model.json";
/** What a drift saved before it struck, per host, for `restore`. */
const saved = new Map<string, string>();

async function exitOk(host: Host, argv: string[]): Promise<boolean> {
  return (await host.machine.exec(argv, { direct: true })).exitCode === 0;
}

async function restartService(host: Host, service: string): Promise<void> {
  await host.machine.run(["systemctl", "restart", service]);
}

/** Rebuilds the bridge and puts the container back on it (a deleted bridge took the container's veth). */
async function rebuildBridge(host: Host): Promise<void> {
  await restartService(host, bridgeService(host));
  if (host.kind === "lxc") {
    await host.machine.exec(["lxc-stop", "-n", host.container.name, "-k"]);
    await host.machine.run(["lxc-start", "-n", host.container.name]);
  }
}

async function bridgeLeftover(host: Host): Promise<string | undefined> {
  const env = await subnetEnv(host);
  const shown = await host.machine.exec(["ip", "-j", "addr", "show", "dev", host.bridge], { direct: true });
  if (shown.exitCode !== 0) return `${host.bridge} does not exist`;
  const link = JSON.parse(shown.stdout)[0] as {
    mtu: number;
    flags: string[];
    addr_info: { family: string; local: string; prefixlen: number }[];
  };
  const held = link.addr_info.filter((a) => a.family === "inet").map((a) => `${a.local}/${a.prefixlen}`);
  if (!link.flags.includes("UP")) return `${host.bridge} is down`;
  if (env.subnet !== undefined && !held.includes(env.subnet))
    return `${host.bridge} has ${held.join(",") || "no address"}, not ${env.subnet}`;
  if (env.mtu !== undefined && link.mtu !== env.mtu) return `${host.bridge} MTU ${link.mtu}, not ${env.mtu}`;
  return undefined;
}

async function flannel0Leftover(host: Host): Promise<string | undefined> {
  const link = await host.machine.exec(["ip", "-j", "link", "show", "dev", "flannel0"], { direct: true });
  if (link.exitCode !== 0) return "flannel0 does not exist";
  if (!(JSON.parse(link.stdout)[0]?.flags ?? []).includes("UP")) return "flannel0 is down";
  const route = await host.machine.run(["ip", "route", "show", "10.10.0.0/16"], { direct: true });
  if (!route.includes("dev flannel0"))
    return `no route to 10.10.0.0/16 via flannel0 (${route.trim() || "none"})`;
  return undefined;
}

async function charmRules(host: Host, table: "nat" | "filter", chain: string): Promise<number> {
  const rules = await host.machine.run(["iptables", "-w", "-t", table, "-S", chain], { direct: true });
  return rules.split("\n").filter((l) => l.includes("flannel-charm")).length;
}

/** Deletes every rule of `chain` whose text matches `pattern` (as `iptables -S` prints it). */
function deleteRules(host: Host, table: string, chain: string, pattern: string): Promise<string> {
  const script = `iptables -w -t "$1" -S "$2" | grep -E -- "$3" | sed 's/^-A/-D/' | while read -r rule; do eval iptables -w -t "$1" "$rule"; done`;
  return sh(host, script, table, chain, pattern);
}

async function saveFile(host: Host, path: string): Promise<void> {
  saved.set(`${host.name}:${path}`, await host.machine.readFile(path));
}

async function putBack(host: Host, path: string, mode = 0o644): Promise<void> {
  const text = saved.get(`${host.name}:${path}`);
  if (text !== undefined) await host.machine.writeFile(path, text, mode);
}

async function differsFromSaved(host: Host, path: string): Promise<string | undefined> {
  const now = await host.machine.exec(["cat", path], { direct: true });
  if (now.exitCode !== 0) return `${path} is missing`;
  return now.stdout === saved.get(`${host.name}:${path}`)
    ? undefined
    : `${path} still differs from what the charm wrote`;
}

const drift = (kind: Omit<FaultKind, "scope">): FaultKind => ({ scope: "machine", ...kind });

export const DRIFTS: FaultKind[] = [
  drift({
    name: "bridge-address-flushed",
    what: "operator: ip addr flush dev <bridge>",
    inject: injectOnly((h) => h.machine.run(["ip", "addr", "flush", "dev", h.bridge])),
    leftover: (_, h) => bridgeLeftover(h),
    restore: (_, h) => rebuildBridge(h),
  }),
  drift({
    name: "bridge-mtu-changed",
    what: "operator/package: ip link set <bridge> mtu 1500",
    inject: injectOnly((h) => h.machine.run(["ip", "link", "set", "dev", h.bridge, "mtu", "1500"])),
    leftover: (_, h) => bridgeLeftover(h),
    restore: (_, h) => rebuildBridge(h),
  }),
  drift({
    name: "bridge-link-down",
    what: "operator: ip link set <bridge> down",
    inject: injectOnly((h) => h.machine.run(["ip", "link", "set", "dev", h.bridge, "down"])),
    leftover: (_, h) => bridgeLeftover(h),
    restore: (_, h) => rebuildBridge(h),
  }),
  drift({
    name: "bridge-deleted",
    what: "operator: ip link del <bridge> (the containers' veths stay, on no bridge)",
    inject: injectOnly((h) => h.machine.run(["ip", "link", "del", "dev", h.bridge])),
    leftover: (_, h) => bridgeLeftover(h),
    restore: (_, h) => rebuildBridge(h),
  }),
  drift({
    name: "flannel0-deleted",
    what: "operator: ip link del flannel0 (flanneld keeps running on a dead TUN)",
    inject: injectOnly((h) => h.machine.run(["ip", "link", "del", "dev", "flannel0"])),
    leftover: (_, h) => flannel0Leftover(h),
    restore: (_, h) => restartService(h, "flannel"),
  }),
  drift({
    name: "flannel0-down",
    what: "operator: ip link set flannel0 down (its route goes with it)",
    inject: injectOnly((h) => h.machine.run(["ip", "link", "set", "dev", "flannel0", "down"])),
    leftover: (_, h) => flannel0Leftover(h),
    restore: (_, h) => restartService(h, "flannel"),
  }),
  drift({
    name: "overlay-route-deleted",
    what: "operator: ip route del 10.10.0.0/16 dev flannel0",
    inject: injectOnly((h) => h.machine.run(["ip", "route", "del", "10.10.0.0/16", "dev", "flannel0"])),
    leftover: (_, h) => flannel0Leftover(h),
    restore: (_, h) => restartService(h, "flannel"),
  }),
  drift({
    name: "dnsmasq-killed",
    what: "crash: lxc-net's dnsmasq SIGKILLed (no DHCP for new containers)",
    only: "lxc",
    inject: injectOnly((h) => sh(h, 'kill -KILL "$(cat /run/lxc/dnsmasq.pid)"')),
    leftover: async (_, h) =>
      (await exitOk(h, ["sh", "-c", 'kill -0 "$(cat /run/lxc/dnsmasq.pid)"']))
        ? undefined
        : "lxc-net's dnsmasq is not running",
    restore: (_, h) => restartService(h, "lxc-net"),
  }),
  drift({
    name: "lxc-net-rules-flushed",
    what: "operator: lxc-net's own iptables rules (lxcbr0 INPUT/FORWARD accepts) deleted",
    only: "lxc",
    inject: injectOnly(async (h) => {
      for (const chain of ["INPUT", "FORWARD"]) await deleteRules(h, "filter", chain, "lxcbr0");
    }),
    leftover: async (_, h) => {
      const input = await h.machine.run(["iptables", "-w", "-S", "INPUT"], { direct: true });
      return input.includes("lxcbr0") ? undefined : "lxc-net's INPUT rules for DHCP/DNS on lxcbr0 are gone";
    },
    restore: (_, h) => restartService(h, "lxc-net"),
  }),
  drift({
    name: "charm-nat-rules-deleted",
    // Only LXC machines carry the charm's nat exemptions; on Docker the charm keeps docker from masquerading.
    what: "operator: the charm's nat POSTROUTING rules deleted one by one",
    only: "lxc",
    inject: injectOnly((h) => deleteRules(h, "nat", "POSTROUTING", "flannel-charm")),
    leftover: async (_, h) =>
      (await charmRules(h, "nat", "POSTROUTING")) > 0 ? undefined : "the charm's nat rules are gone",
  }),
  drift({
    name: "charm-forward-rules-deleted",
    what: "operator: the charm's FORWARD accept rules deleted one by one",
    inject: injectOnly((h) => deleteRules(h, "filter", "FORWARD", "flannel-charm")),
    leftover: async (_, h) =>
      (await charmRules(h, "filter", "FORWARD")) > 0 ? undefined : "the charm's FORWARD rules are gone",
  }),
  drift({
    name: "unit-file-edited",
    what: "operator: flannel.service edited by hand (Restart=no), daemon-reload",
    inject: injectOnly(async (h) => {
      await saveFile(h, UNIT_FILE);
      await sh(h, `sed -i 's/^Restart=always/Restart=no/' ${UNIT_FILE} && systemctl daemon-reload`);
    }),
    leftover: (_, h) => differsFromSaved(h, UNIT_FILE),
    restore: async (_, h) => {
      await putBack(h, UNIT_FILE);
      await h.machine.run(["systemctl", "daemon-reload"]);
    },
  }),
  drift({
    name: "service-stopped",
    what: "operator: systemctl stop flannel",
    inject: injectOnly((h) => h.machine.run(["systemctl", "stop", "flannel"])),
    leftover: async (_, h) =>
      (await exitOk(h, ["systemctl", "is-active", "--quiet", "flannel"]))
        ? undefined
        : "flannel is not active",
    restore: (_, h) => restartService(h, "flannel"),
  }),
  drift({
    name: "service-disabled",
    what: "operator/package: systemctl disable flannel (it would not start at the next boot)",
    inject: injectOnly((h) => h.machine.run(["systemctl", "disable", "flannel"])),
    leftover: async (_, h) =>
      (await exitOk(h, ["systemctl", "is-enabled", "--quiet", "flannel"]))
        ? undefined
        : "flannel is not enabled",
    restore: async (_, h) => {
      await h.machine.run(["systemctl", "enable", "flannel"]);
    },
  }),
  drift({
    name: "ip-forward-off",
    what: "package: sysctl net.ipv4.ip_forward=0",
    inject: injectOnly((h) => h.machine.run(["sysctl", "-qw", "net.ipv4.ip_forward=0"])),
    leftover: async (_, h) =>
      (await h.machine.readFile("/proc/sys/net/ipv4/ip_forward")).trim() === "1"
        ? undefined
        : "net.ipv4.ip_forward is 0",
    restore: async (_, h) => {
      await h.machine.run(["sysctl", "-qw", "net.ipv4.ip_forward=1"]);
    },
  }),
  drift({
    name: "node-startup-deleted",
    what: "operator: rm -rf /var/lib/flannel-charm/node-startup (the start-up snapshots)",
    inject: injectOnly((h) => h.machine.run(["rm", "-rf", NODE_STARTUP])),
    leftover: async (_, h) =>
      (await sh(h, `ls ${NODE_STARTUP}`).catch(() => "")).includes(".blob")
        ? undefined
        : "no start-up snapshot was built again",
  }),
  drift({
    name: "subnet-env-deleted",
    what: "operator: rm /run/flannel/subnet.env",
    inject: injectOnly((h) => h.machine.run(["rm", "-f", "/run/flannel/subnet.env"])),
    leftover: async (_, h) =>
      (await subnetEnv(h)).subnet ? undefined : "/run/flannel/subnet.env is missing",
    restore: (_, h) => restartService(h, "flannel"),
  }),
  drift({
    name: "tls-cert-edited",
    what: "operator: /etc/flannel/etcd-cert.pem overwritten by hand",
    inject: injectOnly(async (h) => {
      await saveFile(h, "/etc/flannel/etcd-cert.pem");
      await h.machine.writeFile("/etc/flannel/etcd-cert.pem", "edited by hand\n", 0o600);
    }),
    leftover: (_, h) => differsFromSaved(h, "/etc/flannel/etcd-cert.pem"),
    restore: (_, h) => putBack(h, "/etc/flannel/etcd-cert.pem", 0o600),
  }),
  drift({
    name: "binary-deleted",
    what: "operator/package: rm /usr/local/bin/flanneld",
    inject: injectOnly((h) => h.machine.run(["rm", "-f", FLANNELD])),
    leftover: async (_, h) =>
      (await exitOk(h, ["test", "-x", FLANNELD])) ? undefined : `${FLANNELD} is missing`,
    restore: (_, h) => h.machine.copyIn(FLANNELD_BINARY, FLANNELD),
  }),
  drift({
    name: "opened-port-closed",
    what: "operator: 8285/udp dropped from the unit's opened ports (the emulated model)",
    inject: injectOnly(async (h) => {
      const model = JSON.parse(await h.machine.readFile(MODEL)) as { ports: string[] };
      model.ports = model.ports.filter((p) => p !== "8285/udp");
      await h.machine.writeFile(MODEL, JSON.stringify(model, null, 2));
    }),
    leftover: async (_, h) => {
      const model = JSON.parse(await h.machine.readFile(MODEL)) as { ports: string[] };
      return model.ports.includes("8285/udp") ? undefined : "8285/udp is not opened";
    },
    restore: async (_, h) => {
      const model = JSON.parse(await h.machine.readFile(MODEL)) as { ports: string[] };
      model.ports = [...model.ports.filter((p) => p !== "8285/udp"), "8285/udp"];
      await h.machine.writeFile(MODEL, JSON.stringify(model, null, 2));
    },
  }),
  drift({
    name: "lxc-net-edited",
    what: "operator: LXC_ADDR in /etc/default/lxc-net edited by hand (campaign 13)",
    only: "lxc",
    inject: injectOnly(async (h) => {
      await saveFile(h, LXC_NET);
      await sh(h, `sed -i 's/^LXC_ADDR=.*/LXC_ADDR="10.0.3.1"/' ${LXC_NET}`);
    }),
    leftover: async (_, h) =>
      (await h.machine.readFile(LXC_NET)).includes('LXC_ADDR="10.0.3.1"')
        ? "LXC_ADDR edited by hand is still there"
        : undefined,
    restore: (_, h) => putBack(h, LXC_NET),
  }),
  drift({
    name: "unit-file-deleted",
    what: "operator: rm flannel.service, daemon-reload (campaign 13)",
    inject: injectOnly(async (h) => {
      await saveFile(h, UNIT_FILE);
      await sh(h, `rm ${UNIT_FILE} && systemctl daemon-reload`);
    }),
    leftover: async (_, h) =>
      (await exitOk(h, ["test", "-s", UNIT_FILE])) ? undefined : `${UNIT_FILE} is missing`,
    restore: async (_, h) => {
      await putBack(h, UNIT_FILE);
      await h.machine.run(["systemctl", "daemon-reload"]);
    },
  }),
  drift({
    name: "run-flannel-removed",
    what: "operator: rm -rf /run/flannel (campaign 13)",
    inject: injectOnly((h) => h.machine.run(["rm", "-rf", "/run/flannel"])),
    leftover: async (_, h) =>
      (await subnetEnv(h)).subnet ? undefined : "/run/flannel/subnet.env is missing",
    restore: (_, h) => restartService(h, "flannel"),
  }),
  drift({
    name: "daemon-json-edited",
    what: "operator: bip and mtu of /etc/docker/daemon.json edited by hand (campaign 13b)",
    only: "docker",
    inject: injectOnly(async (h) => {
      await saveFile(h, "/etc/docker/daemon.json");
      const edited = {
        ...JSON.parse(await h.machine.readFile("/etc/docker/daemon.json")),
        bip: "10.10.250.1/24",
        mtu: 1400,
      };
      await h.machine.writeFile("/etc/docker/daemon.json", `${JSON.stringify(edited, null, 4)}\n`);
    }),
    leftover: async (_, h) => {
      const daemon = JSON.parse(await h.machine.readFile("/etc/docker/daemon.json")) as { bip?: string };
      const { subnet } = await subnetEnv(h);
      return daemon.bip === subnet ? undefined : `daemon.json bip ${daemon.bip}, lease ${subnet}`;
    },
    restore: async (_, h) => {
      await putBack(h, "/etc/docker/daemon.json");
      await restartService(h, "docker");
    },
  }),
];
