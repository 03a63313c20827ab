import { describe, expect, it } from "vitest";
import { findNatProblem, planNatRepair } from "../../src/bridges/nat-plan";
import type { Lease } from "../../src/flannel/subnet-env";

const lease: Lease = { network: "10.10.0.0/16", subnet: "10.10.16.1/24", mtu: 1472, ipMasq: true };
const OVERLAY = "-s 10.10.16.0/24 -d 10.10.0.0/16 -m comment --comment flannel-charm -j RETURN";
const ALL = "-s 10.10.16.0/24 -m comment --comment flannel-charm -j RETURN";
const LXC_MASQ = "-s 10.10.16.0/24 ! -d 10.10.16.0/24 -j MASQUERADE";
const DOCKER_MASQ = "-s 10.10.16.0/24 ! -o docker0 -j MASQUERADE";
const FLANNELD = '-m comment --comment "flanneld masq" -j FLANNEL-POSTRTG';

/** `iptables -t nat -S POSTROUTING` output holding these rules. */
function listing(...rules: string[]) {
  return ["-P POSTROUTING ACCEPT", ...rules.map((rule) => `-A POSTROUTING ${rule}`), ""].join("\n");
}
const split = (rule: string) => rule.split(" ");

describe("planNatRepair and findNatProblem for lxc", () => {
  it("defect 7: nothing to do when the exemption is above lxc-net's masquerade", () => {
    const rules = listing(OVERLAY, FLANNELD, LXC_MASQ);
    expect(planNatRepair(rules, lease, "lxc")).toEqual({ delete: [], insert: [] });
    expect(findNatProblem(rules, lease, "lxc")).toBeUndefined();
  });

  it("defect 7: a deleted exemption is re-inserted at the top and reported as missing", () => {
    const rules = listing(FLANNELD, LXC_MASQ);
    expect(planNatRepair(rules, lease, "lxc")).toEqual({ delete: [], insert: [split(OVERLAY)] });
    expect(findNatProblem(rules, lease, "lxc")).toBe("nat-exemption-missing");
  });

  it("defect 7: an exemption below the masquerade is moved above it", () => {
    const rules = listing(LXC_MASQ, OVERLAY);
    expect(planNatRepair(rules, lease, "lxc")).toEqual({
      delete: [split(OVERLAY)],
      insert: [split(OVERLAY)],
    });
    expect(findNatProblem(rules, lease, "lxc")).toBe("nat-exemption-missing");
  });

  it("defect 7: without ip-masq both exemptions are wanted", () => {
    const noMasq = { ...lease, ipMasq: false };
    expect(planNatRepair(listing(OVERLAY, LXC_MASQ), noMasq, "lxc")).toEqual({
      delete: [],
      insert: [split(ALL)],
    });
    expect(findNatProblem(listing(ALL, OVERLAY, LXC_MASQ), noMasq, "lxc")).toBeUndefined();
  });

  it("ignores rules of other subnets", () => {
    const other = "-s 10.10.17.0/24 ! -d 10.10.17.0/24 -j MASQUERADE";
    expect(planNatRepair(listing(other, OVERLAY), lease, "lxc")).toEqual({ delete: [], insert: [] });
  });
});

describe("planNatRepair and findNatProblem for docker and none", () => {
  it("defect 7: docker must not masquerade the subnet (daemon.json has ip-masq false): its rule is deleted", () => {
    const rules = listing(FLANNELD, DOCKER_MASQ);
    expect(planNatRepair(rules, lease, "docker")).toEqual({ delete: [split(DOCKER_MASQ)], insert: [] });
    expect(findNatProblem(rules, lease, "docker")).toBe("nat-masquerade");
    expect(findNatProblem(listing(FLANNELD), lease, "docker")).toBeUndefined();
  });

  it("none: the charm has no bridge rules to check", () => {
    expect(planNatRepair(listing(DOCKER_MASQ), lease, "none")).toEqual({ delete: [], insert: [] });
    expect(findNatProblem(listing(), lease, "none")).toBeUndefined();
  });
});
