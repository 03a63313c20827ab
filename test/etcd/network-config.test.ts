import { describe, expect, it } from "vitest";
import { isSameNetworkConfig, renderNetworkConfig } from "../../src/etcd/network-config";

const DESIRED = { Network: "10.10.0.0/16", SubnetLen: 24, Backend: { Type: "udp" } };

describe("network config", () => {
  it("renders the JSON the issue asks for", () => {
    expect(renderNetworkConfig(DESIRED)).toBe(
      '{"Network":"10.10.0.0/16","SubnetLen":24,"Backend":{"Type":"udp"}}',
    );
  });

  it.each([
    ['{"Network":"10.10.0.0/16","SubnetLen":24,"Backend":{"Type":"udp"}}', true],
    ['{"Backend":{"Type":"udp"},"SubnetLen":24,"Network":"10.10.0.0/16"}', true],
    ['{"Network":"10.10.0.0/16","Backend":{"Type":"udp"}}', true],
    ['{"Network":"10.10.0.0/16"}', true],
    ['{"Network":"10.10.0.0/16","Backend":{}}', true],
    ['{"Network":"10.10.0.0/16","SubnetLen":26}', false],
    ['{"Network":"10.11.0.0/16"}', false],
    ['{"Network":"10.10.0.0/16","Backend":{"Type":"vxlan"}}', false],
    ['{"Network":"10.10.0.0/16","Backend":{"Type":"udp","Port":9000}}', false],
    ['{"Network":"10.10.0.0/16","SubnetMin":"10.10.8.0"}', false],
    ['{"Network":"10.10.0.0/16","Backend":"udp"}', false],
    ["not json", false],
    ["[]", false],
    ["null", false],
    ["", false],
  ])("%s equal to the desired config: %s", (existing, same) => {
    expect(isSameNetworkConfig(existing, DESIRED)).toBe(same);
  });

  it("a desired config without SubnetLen equals one with 24", () => {
    expect(
      isSameNetworkConfig('{"Network":"10.10.0.0/16","SubnetLen":24}', { Network: "10.10.0.0/16" }),
    ).toBe(true);
  });
});
