import { describe, expect, it } from "vitest";
import type { Action } from "../../src/machine/actions";
import { type DataPathWant, planDataPath } from "../../src/machine/data-path";
import type { MachineFacts } from "../../src/machine/facts";
import { READY_FILTER, READY_NAT, readyFacts } from "./facts-fixture";

const LXC: DataPathWant = { containerType: "lxc", backend: "udp", ipMasq: true };
const DOCKER: DataPathWant = { containerType: "docker", backend: "udp", ipMasq: true };
const lxcbr0 = { name: "lxcbr0", addresses: ["10.10.16.1/24"], mtu: 1472, up: true };
const docker0 = { name: "docker0", addresses: ["10.10.16.1/24"], mtu: 1472, up: true };
const NAT = READY_NAT;
const FORWARD = READY_FILTER;

/** The plan as [step, effect kind (and its arguments), reason] triples. */
function planOf(change: Partial<MachineFacts>, want = LXC): [string, string, string | undefined][] {
  return planDataPath(readyFacts({ natRules: NAT, filterRules: FORWARD, ...change }), want).map(
    (a: Action) => [
      a.step,
      [a.effect.kind, ...Object.values(a.effect).slice(1).flat().map(String)].join(" "),
      a.reason,
    ],
  );
}

describe("planDataPath", () => {
  it("plans nothing for a machine whose data path is as it should be", () => {
    expect(planOf({})).toEqual([]);
  });

  it.each<[string, Partial<MachineFacts>, [string, string, string | undefined][]]>([
    ["flanneld stopped", { flanneldRunning: false }, [["lease", "start-flanneld", "flanneld-inactive"]]],
    [
      "subnet.env deleted under a running flanneld",
      { lease: undefined, leaseFileLost: true },
      [["lease", "restart-flanneld", "no-lease"]],
    ],
    ["no lease yet", { lease: undefined }, [["lease", "wait-for-lease", "no-lease"]]],
    [
      "the machine renumbered under flanneld's announced address",
      { announced: "198.51.100.99" },
      [["lease", "reconcile-inputs", "public-ip-gone"]],
    ],
    ["ip_forward off", { ipForward: "0" }, [["ip-forward", "set-ip-forward", "ip-forward-off"]]],
    [
      "flannel0 deleted",
      { flannelDevice: undefined },
      [["flannel-device", "restart-flanneld", "flannel-device-missing"]],
    ],
    [
      "flannel0 down",
      { flannelDevice: { name: "flannel0", addresses: [], mtu: 1472, up: false } },
      [["flannel-device", "link-up flannel0", "flannel-device-down"]],
    ],
    [
      "flannel0's MTU changed",
      { flannelDevice: { name: "flannel0", addresses: ["10.10.16.0/16"], mtu: 1500, up: true } },
      [["flannel-device", "link-mtu flannel0 1472", "flannel-device-mismatch"]],
    ],
    [
      "the overlay route deleted",
      { routes: [] },
      [["flannel-device", "add-route flannel0 10.10.0.0/16", "overlay-route-missing"]],
    ],
    ["lxcbr0 deleted", { bridge: undefined }, [["bridge", "restart-lxc-net", "bridge-missing"]]],
    [
      "lxcbr0's address flushed",
      { bridge: { ...lxcbr0, addresses: [] } },
      [["bridge", "restart-lxc-net", "bridge-mismatch"]],
    ],
    ["lxcbr0 down", { bridge: { ...lxcbr0, up: false } }, [["bridge", "link-up lxcbr0", "bridge-down"]]],
    [
      "lxcbr0's MTU set to 1500",
      { bridge: { ...lxcbr0, mtu: 1500 } },
      [["bridge", "link-mtu lxcbr0 1472", "mtu-mismatch"]],
    ],
    [
      "a container's veth left on no bridge (lxcbr0 deleted and remade)",
      { detachedVeths: ["vethA1b2C3"] },
      [["bridge", "attach-veths lxcbr0 vethA1b2C3", "containers-detached"]],
    ],
    [
      "lxc-net's dnsmasq killed",
      { lxcNet: { started: true, dnsmasq: false } },
      [["bridge", "restart-lxc-net", "lxc-net-down"]],
    ],
    [
      "lxc-net's FORWARD accept deleted",
      { filterRules: FORWARD.replace("-A FORWARD -i lxcbr0 -j ACCEPT", "") },
      [["bridge", "restart-lxc-net", "lxc-net-rules-missing"]],
    ],
    [
      "the charm's nat exemption deleted",
      {
        natRules: NAT.split("\n")
          .filter((line) => !line.includes("RETURN"))
          .join("\n"),
      },
      [
        [
          "nat",
          "iptables -w 5 -t nat -I POSTROUTING 1 -s 10.10.16.0/24 -d 10.10.0.0/16 -m comment --comment flannel-charm -j RETURN",
          "nat-exemption-missing",
        ],
      ],
    ],
    [
      "a FORWARD accept of the charm deleted under a DROP policy",
      { filterRules: FORWARD.replace(/^-A FORWARD -d 10.10.0.0\/16.*$/m, "") },
      [
        [
          "forward",
          "iptables -w 5 -I FORWARD 1 -d 10.10.0.0/16 -m comment --comment flannel-charm -j ACCEPT",
          "forward-dropped",
        ],
      ],
    ],
  ])("%s", (_, change, plan) => {
    expect(planOf(change)).toEqual(plan);
  });

  it("plans a FORWARD rule under an ACCEPT policy without a reason: traffic flows meanwhile", () => {
    const filterRules = FORWARD.replace("-P FORWARD DROP", "-P FORWARD ACCEPT").replace(
      /^-A FORWARD -s 10.*$/m,
      "",
    );
    expect(planOf({ filterRules })).toEqual([
      [
        "forward",
        "iptables -w 5 -I FORWARD 1 -s 10.10.0.0/16 -m comment --comment flannel-charm -j ACCEPT",
        undefined,
      ],
    ]);
  });

  it("plans the docker bridge: moved when it lacks the lease, recreated when gone, its link and MTU set", () => {
    const facts = { bridge: docker0, lxcNet: undefined, natRules: "-P POSTROUTING ACCEPT\n" };
    expect(planOf(facts, DOCKER)).toEqual([]);
    expect(planOf({ ...facts, bridge: { ...docker0, addresses: ["172.17.0.1/16"] } }, DOCKER)).toEqual([
      ["bridge", "ensure-docker-bridge", "bridge-mismatch"],
    ]);
    expect(planOf({ ...facts, bridge: undefined }, DOCKER)).toEqual([
      ["bridge", "restart-docker", "bridge-missing"],
    ]);
    expect(planOf({ ...facts, bridge: { ...docker0, up: false, mtu: 1500 } }, DOCKER)).toEqual([
      ["bridge", "link-up docker0", "bridge-down"],
      ["bridge", "link-mtu docker0 1472", "mtu-mismatch"],
    ]);
  });

  it("plans the bridge's files before its kernel state, when the hook compared them", () => {
    const facts = readyFacts({ natRules: NAT, filterRules: FORWARD, bridge: { ...lxcbr0, addresses: [] } });
    expect(planDataPath(facts, LXC, { same: false }).map((a) => a.effect.kind)).toEqual(["ensure-lxc-files"]);
  });

  it("stops at the lease: nothing past it can be planned without one", () => {
    expect(planOf({ lease: undefined, bridge: undefined, routes: [] })).toEqual([
      ["lease", "wait-for-lease", "no-lease"],
    ]);
  });
});
