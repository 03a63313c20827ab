import { describe, expect, it } from "vitest";
import { parseSubnetEnv } from "../../src/flannel/subnet-env";

const GOOD =
  "FLANNEL_NETWORK=10.10.0.0/16\nFLANNEL_SUBNET=10.10.16.1/24\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=true\n";

describe("parseSubnetEnv", () => {
  it("reads the lease flanneld writes", () => {
    expect(parseSubnetEnv(GOOD)).toEqual({
      ok: true,
      lease: { network: "10.10.0.0/16", subnet: "10.10.16.1/24", mtu: 1472, ipMasq: true },
    });
  });

  it("ignores blank lines and comments", () => {
    expect(parseSubnetEnv(`# written by flanneld\n\n${GOOD}\n`).ok).toBe(true);
  });

  it.each([
    ["a missing key", GOOD.replace("FLANNEL_MTU=1472\n", ""), "subnet.env lacks FLANNEL_MTU"],
    ["a key set twice", `${GOOD}FLANNEL_MTU=1400\n`, "subnet.env sets FLANNEL_MTU twice"],
    ["shell syntax", GOOD.replace("FLANNEL_MTU=1472", "FLANNEL_MTU=$(reboot)"), "malformed line"],
    [
      "a subnet outside the network",
      GOOD.replace("10.10.16.1/24", "10.11.16.1/24"),
      "outside FLANNEL_NETWORK",
    ],
    ["a network that is not a network", GOOD.replace("10.10.0.0/16", "10.10.0.1/16"), "not an IPv4 network"],
    ["an MTU that is not one", GOOD.replace("1472", "14720000"), "FLANNEL_MTU 14720000 is not an MTU"],
    ["an ipmasq that is not boolean", GOOD.replace("IPMASQ=true", "IPMASQ=yes"), "not true or false"],
    ["a huge file", GOOD + "#".repeat(5000), "expected < 4096"],
  ])("rejects %s with a message", (_case, text, message) => {
    const result = parseSubnetEnv(text);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.problem).toContain(message);
  });
});
