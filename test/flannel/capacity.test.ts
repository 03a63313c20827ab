import { describe, expect, it } from "vitest";
import { subnetCapacity } from "../../src/flannel/capacity";

describe("subnetCapacity", () => {
  it("counts the subnets flanneld leases, without the network's first", () => {
    expect(subnetCapacity("10.10.0.0/16", 24)).toBe(255);
    expect(subnetCapacity("10.10.0.0/22", 24)).toBe(3);
    expect(subnetCapacity("10.10.0.0/16", 28)).toBe(4095);
    expect(subnetCapacity("10.0.0.0/8", 24)).toBe(65535);
  });

  it("is 0 when the subnet is not smaller than the network", () => {
    expect(subnetCapacity("10.10.0.0/24", 24)).toBe(0);
  });
});
