import { describe, expect, it } from "vitest";
import {
  containsCidr,
  formatIPv4,
  netmaskOf,
  networkOf,
  parseCidr,
  parseIPv4,
  sizeOf,
} from "../../src/flannel/ipv4-cidr";

const cidr = (text: string) => {
  const parsed = parseCidr(text);
  if (parsed === undefined) throw new Error(`not a CIDR: ${text}`);
  return parsed;
};

describe("IPv4 CIDR arithmetic", () => {
  it("parses dotted quads and rejects anything else", () => {
    expect(parseIPv4("10.10.16.1")).toBe(0x0a0a1001);
    expect(parseIPv4("255.255.255.255")).toBe(0xffffffff);
    for (const bad of ["10.10.16", "10.10.16.256", "10.10.016.1", "a.b.c.d", "10.10.16.1 ", ""])
      expect(parseIPv4(bad)).toBeUndefined();
  });

  it("parses prefix lengths 0 to 32 only", () => {
    expect(parseCidr("10.10.16.1/24")).toEqual({ address: 0x0a0a1001, length: 24 });
    expect(parseCidr("0.0.0.0/0")).toEqual({ address: 0, length: 0 });
    for (const bad of ["10.10.16.1/33", "10.10.16.1/", "10.10.16.1", "10.10.16.1/024"])
      expect(parseCidr(bad)).toBeUndefined();
  });

  it("finds the network address and containment", () => {
    expect(networkOf(cidr("10.10.16.1/24"))).toBe(0x0a0a1000);
    expect(networkOf(cidr("200.10.16.1/1"))).toBe(0x80000000);
    expect(containsCidr(cidr("10.10.0.0/16"), cidr("10.10.16.1/24"))).toBe(true);
    expect(containsCidr(cidr("10.10.0.0/16"), cidr("10.11.16.1/24"))).toBe(false);
    expect(containsCidr(cidr("10.10.0.0/16"), cidr("10.0.0.0/8"))).toBe(false);
    expect(containsCidr(cidr("0.0.0.0/0"), cidr("192.0.2.1/32"))).toBe(true);
  });

  it("formats addresses, netmasks and range sizes", () => {
    expect(formatIPv4(0x0a0a1001)).toBe("10.10.16.1");
    expect(formatIPv4(0)).toBe("0.0.0.0");
    expect(formatIPv4(0xffffffff)).toBe("255.255.255.255");
    expect(netmaskOf(24)).toBe("255.255.255.0");
    expect(netmaskOf(30)).toBe("255.255.255.252");
    expect(netmaskOf(0)).toBe("0.0.0.0");
    expect(netmaskOf(32)).toBe("255.255.255.255");
    expect(sizeOf(cidr("10.10.0.0/16"))).toBe(65536);
  });
});
