import { describe, expect, it } from "vitest";
import { judgeLeaseRead, leaseKeyOf } from "../../src/hooks/etcd-light-check";

const CONFIG = '{"Network":"10.10.0.0/16","SubnetLen":24,"Backend":{"Type":"udp"}}';
const LEASE = '{"PublicIP":"198.51.100.11","PublicIPv6":null}';

describe("the light etcd check", () => {
  it("names a lease by its subnet's first address and length", () => {
    const lease = { network: "10.10.0.0/16", subnet: "10.10.16.1/24", mtu: 1472, ipMasq: true };
    expect(leaseKeyOf(lease)).toBe("10.10.16.0-24");
  });

  it("finds nothing wrong when etcd holds the config and this unit's lease", () => {
    expect(judgeLeaseRead({ kind: "values", values: [CONFIG, LEASE] }, "198.51.100.11")).toBeUndefined();
  });

  it("finds the data lost when the config or the lease is gone, or the lease is another address's", () => {
    const lost = "etcd lost the network config or this unit's lease";
    expect(judgeLeaseRead({ kind: "values", values: [undefined, LEASE] }, "198.51.100.11")).toBe(lost);
    expect(judgeLeaseRead({ kind: "values", values: [CONFIG, undefined] }, "198.51.100.11")).toBe(lost);
    expect(judgeLeaseRead({ kind: "values", values: [CONFIG, LEASE] }, "198.51.100.12")).toBe(lost);
    expect(judgeLeaseRead({ kind: "values", values: [CONFIG, "not json"] }, "198.51.100.11")).toBe(lost);
    expect(judgeLeaseRead({ kind: "values", values: [CONFIG, LEASE] }, undefined)).toBe(lost);
  });

  it("takes an unreachable etcd as proving nothing lost, and an error as the full reconcile's to explain", () => {
    expect(
      judgeLeaseRead({ kind: "unavailable", reason: "connect ECONNREFUSED" }, "198.51.100.11"),
    ).toBeUndefined();
    expect(judgeLeaseRead({ kind: "failed", reason: "etcdserver: permission denied" }, "198.51.100.11")).toBe(
      "etcd answered the light read with an error",
    );
  });
});
