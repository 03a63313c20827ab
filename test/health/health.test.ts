import { describe, expect, it } from "vitest";
import type { LeaseResult } from "../../src/flannel/subnet-env";
import { computeHealth, type HealthObservation } from "../../src/health/health";
import type { MachineFacts } from "../../src/machine/facts";
import type { CharmState } from "../../src/state/charm-state";
import { LXC_NET_FILTER_LINES, readyFacts } from "../machine/facts-fixture";

const lxcbr0 = { name: "lxcbr0", addresses: ["10.10.16.1/24"], mtu: 1472, up: true };
const docker0 = { name: "docker0", addresses: ["10.10.16.1/24"], mtu: 1472, up: true };

const lxcReady: HealthObservation = {
  state: { containerType: "lxc", etcdRelated: true },
  facts: readyFacts(),
};

/** The ready lxc machine with some facts (and the state) changed. */
type Change = Partial<Omit<MachineFacts, "lease">> & { lease?: LeaseResult; state?: CharmState };

function healthOf(change: Change) {
  const { state, ...facts } = change;
  return computeHealth({
    state: "state" in change ? state : lxcReady.state,
    facts: { ...lxcReady.facts, ...facts },
  });
}

describe("computeHealth: ready", () => {
  it("lxc", () => {
    expect(computeHealth(lxcReady)).toEqual({
      line: "ready lxcbr:10.10.16.1 subnet:10.10.16.1/24 mtu:1472",
      exitCode: 0,
    });
  });

  it("docker", () => {
    expect(healthOf({ bridge: docker0, state: { containerType: "docker", etcdRelated: true } })).toEqual({
      line: "ready docker0:10.10.16.1 subnet:10.10.16.1/24 mtu:1472",
      exitCode: 0,
    });
  });

  it("none: no bridge needed", () => {
    expect(healthOf({ bridge: undefined, state: { containerType: "none", etcdRelated: true } })).toEqual({
      line: "ready subnet:10.10.16.1/24 mtu:1472",
      exitCode: 0,
    });
  });

  it("a bridge holding the lease address among others", () => {
    const bridge = { ...lxcbr0, addresses: ["10.0.3.1/24", "10.10.16.1/24"] };
    expect(healthOf({ bridge }).line).toBe("ready lxcbr:10.10.16.1 subnet:10.10.16.1/24 mtu:1472");
  });
});

describe("computeHealth: not ready, with the fields it could read", () => {
  it.each<[string, Change, string]>([
    [
      "no state from the hooks yet",
      { state: undefined },
      "not-ready subnet:10.10.16.1/24 mtu:1472 reason:no-state",
    ],
    [
      "blocked",
      { state: { containerType: "lxc", etcdRelated: true, blocked: "invalid config" } },
      "not-ready lxcbr:10.10.16.1 subnet:10.10.16.1/24 mtu:1472 reason:blocked",
    ],
    [
      "no etcd relation",
      { flanneldRunning: false, lease: undefined, state: { containerType: "lxc", etcdRelated: false } },
      "not-ready lxcbr:10.10.16.1 reason:no-etcd-relation",
    ],
    [
      "flanneld inactive",
      { flanneldRunning: false },
      "not-ready lxcbr:10.10.16.1 subnet:10.10.16.1/24 mtu:1472 reason:flanneld-inactive",
    ],
    ["no subnet.env", { lease: undefined, bridge: undefined }, "not-ready reason:no-lease"],
    [
      "invalid subnet.env",
      { lease: { ok: false, problem: "subnet.env lacks FLANNEL_MTU" } },
      "not-ready lxcbr:10.10.16.1 reason:bad-lease",
    ],
    [
      "bridge missing",
      { bridge: undefined },
      "not-ready subnet:10.10.16.1/24 mtu:1472 reason:bridge-missing",
    ],
    [
      "bridge on another address",
      { bridge: { ...lxcbr0, addresses: ["10.0.3.1/24"] } },
      "not-ready lxcbr:10.0.3.1 subnet:10.10.16.1/24 mtu:1472 reason:bridge-mismatch",
    ],
    [
      "bridge with the address but another prefix length",
      { bridge: { ...lxcbr0, addresses: ["10.10.16.1/16"] } },
      "not-ready lxcbr:10.10.16.1 subnet:10.10.16.1/24 mtu:1472 reason:bridge-mismatch",
    ],
    [
      "bridge without an address",
      { bridge: { ...lxcbr0, addresses: [] } },
      "not-ready subnet:10.10.16.1/24 mtu:1472 reason:bridge-mismatch",
    ],
    [
      "bridge MTU differs from the lease",
      { bridge: { ...lxcbr0, mtu: 1500 } },
      "not-ready lxcbr:10.10.16.1 subnet:10.10.16.1/24 mtu:1472 reason:mtu-mismatch",
    ],
    [
      "ip_forward off",
      { ipForward: "0" },
      "not-ready lxcbr:10.10.16.1 subnet:10.10.16.1/24 mtu:1472 reason:ip-forward-off",
    ],
    [
      "flannel0 deleted",
      { flannelDevice: undefined, routes: [] },
      "not-ready lxcbr:10.10.16.1 subnet:10.10.16.1/24 mtu:1472 reason:flannel-device-missing",
    ],
    [
      "flannel0 down",
      { flannelDevice: { name: "flannel0", addresses: ["10.10.16.0/16"], mtu: 1472, up: false } },
      "not-ready lxcbr:10.10.16.1 subnet:10.10.16.1/24 mtu:1472 reason:flannel-device-down",
    ],
    [
      "the route to the network through flannel0 deleted",
      { routes: [] },
      "not-ready lxcbr:10.10.16.1 subnet:10.10.16.1/24 mtu:1472 reason:overlay-route-missing",
    ],
    [
      "lxcbr0 down",
      { bridge: { ...lxcbr0, up: false } },
      "not-ready lxcbr:10.10.16.1 subnet:10.10.16.1/24 mtu:1472 reason:bridge-down",
    ],
    [
      "lxc-net's dnsmasq killed",
      { lxcNet: { started: true, dnsmasq: false } },
      "not-ready lxcbr:10.10.16.1 subnet:10.10.16.1/24 mtu:1472 reason:lxc-net-down",
    ],
    [
      "the charm is waiting",
      { state: { containerType: "lxc", etcdRelated: true, waiting: "waiting for etcd" } },
      "not-ready lxcbr:10.10.16.1 subnet:10.10.16.1/24 mtu:1472 reason:waiting",
    ],
    [
      "docker0 on docker's default address",
      {
        bridge: { ...docker0, addresses: ["172.17.0.1/16"] },
        state: { containerType: "docker", etcdRelated: true },
      },
      "not-ready docker0:172.17.0.1 subnet:10.10.16.1/24 mtu:1472 reason:bridge-mismatch",
    ],
  ])("%s", (_, change, line) => {
    expect(healthOf(change)).toEqual({ line, exitCode: 1 });
  });

  it("reports the first reason: blocked before flanneld and lease problems", () => {
    const state = { containerType: "none", etcdRelated: false, blocked: "invalid config" } as const;
    expect(healthOf({ flanneldRunning: false, lease: undefined, bridge: undefined, state })).toEqual({
      line: "not-ready reason:blocked",
      exitCode: 1,
    });
  });
});

describe("computeHealth: the NAT rules the bridge relies on", () => {
  const exemption =
    "-A POSTROUTING -s 10.10.16.0/24 -d 10.10.0.0/16 -m comment --comment flannel-charm -j RETURN";
  const lxcMasquerade = "-A POSTROUTING -s 10.10.16.0/24 ! -d 10.10.16.0/24 -j MASQUERADE";

  it("defect 7: ready while the exemption sits above lxc-net's masquerade", () => {
    const natRules = ["-P POSTROUTING ACCEPT", exemption, lxcMasquerade, ""].join("\n");
    expect(healthOf({ natRules }).line).toBe("ready lxcbr:10.10.16.1 subnet:10.10.16.1/24 mtu:1472");
  });

  it("defect 7: not ready when the exemption was deleted", () => {
    const natRules = ["-P POSTROUTING ACCEPT", lxcMasquerade, ""].join("\n");
    expect(healthOf({ natRules })).toEqual({
      line: "not-ready lxcbr:10.10.16.1 subnet:10.10.16.1/24 mtu:1472 reason:nat-exemption-missing",
      exitCode: 1,
    });
  });

  it("defect 7: not ready when docker masquerades the subnet", () => {
    const natRules = "-P POSTROUTING ACCEPT\n-A POSTROUTING -s 10.10.16.0/24 ! -o docker0 -j MASQUERADE\n";
    const state = { containerType: "docker", etcdRelated: true } as const;
    expect(healthOf({ bridge: docker0, state, natRules })).toEqual({
      line: "not-ready docker0:10.10.16.1 subnet:10.10.16.1/24 mtu:1472 reason:nat-masquerade",
      exitCode: 1,
    });
  });
});

describe("computeHealth: FORWARD acceptance for the overlay", () => {
  const accept = (flag: string) =>
    `-A FORWARD ${flag} 10.10.0.0/16 -m comment --comment flannel-charm -j ACCEPT`;

  // lxc-net's own accepts for its bridge, which it adds at start.
  const lxcNet = LXC_NET_FILTER_LINES;

  it("ready with a FORWARD policy of ACCEPT, rules or not", () => {
    expect(healthOf({ filterRules: ["-P FORWARD ACCEPT", ...lxcNet, ""].join("\n") }).exitCode).toBe(0);
  });

  it("ready when FORWARD drops but the charm's accept rules are there", () => {
    const filterRules = ["-P FORWARD DROP", ...lxcNet, accept("-s"), accept("-d"), ""].join("\n");
    expect(healthOf({ filterRules }).exitCode).toBe(0);
  });

  it("not ready when lxc-net's own accepts are gone (the next hook restarts lxc-net)", () => {
    const filterRules = ["-P FORWARD DROP", accept("-s"), accept("-d"), ""].join("\n");
    expect(healthOf({ filterRules }).line).toBe(
      "not-ready lxcbr:10.10.16.1 subnet:10.10.16.1/24 mtu:1472 reason:lxc-net-rules-missing",
    );
  });

  it("not ready when FORWARD drops and an accept rule is missing (a firewall reload)", () => {
    const filterRules = ["-P FORWARD DROP", ...lxcNet, accept("-s"), ""].join("\n");
    expect(healthOf({ filterRules })).toEqual({
      line: "not-ready lxcbr:10.10.16.1 subnet:10.10.16.1/24 mtu:1472 reason:forward-dropped",
      exitCode: 1,
    });
  });
});
