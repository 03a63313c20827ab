import { describe, expect, it } from "vitest";
import { computeLxcAddressing, renderLxcNet } from "../../../src/bridges/lxc/lxc-net";
import type { Lease } from "../../../src/flannel/subnet-env";

const lease = (subnet: string, network = "10.10.0.0/16"): Lease => ({
  network,
  subnet,
  mtu: 1472,
  ipMasq: true,
});

const block = (lines: string[]) =>
  [
    "# BEGIN flannel charm: set from the flannel lease; edits between these lines are overwritten",
    'USE_LXC_BRIDGE="true"',
    'LXC_BRIDGE="lxcbr0"',
    ...lines,
    "# iptables, not nft: the charm's lxc-net drop-in exempts overlay traffic in iptables' nat POSTROUTING",
    'LXC_USE_NFT="false"',
    "# END flannel charm",
    "",
  ].join("\n");

const BLOCK_24 = block([
  'LXC_ADDR="10.10.16.1"',
  'LXC_NETMASK="255.255.255.0"',
  'LXC_NETWORK="10.10.16.0/24"',
  'LXC_DHCP_RANGE="10.10.16.2,10.10.16.254"',
  'LXC_DHCP_MAX="253"',
]);

describe("renderLxcNet", () => {
  it("renders a /24 lease when there is no file", () => {
    expect(renderLxcNet(undefined, lease("10.10.16.1/24"))).toBe(BLOCK_24);
  });

  it("renders a /22 lease: netmask, pool up to the broadcast's predecessor, max", () => {
    expect(renderLxcNet("", lease("10.10.16.1/22"))).toBe(
      block([
        'LXC_ADDR="10.10.16.1"',
        'LXC_NETMASK="255.255.252.0"',
        'LXC_NETWORK="10.10.16.0/22"',
        'LXC_DHCP_RANGE="10.10.16.2,10.10.19.254"',
        'LXC_DHCP_MAX="1021"',
      ]),
    );
  });

  it("renders a /26 lease that does not start on a /24 boundary", () => {
    expect(renderLxcNet(undefined, lease("10.10.16.65/26"))).toBe(
      block([
        'LXC_ADDR="10.10.16.65"',
        'LXC_NETMASK="255.255.255.192"',
        'LXC_NETWORK="10.10.16.64/26"',
        'LXC_DHCP_RANGE="10.10.16.66,10.10.16.126"',
        'LXC_DHCP_MAX="61"',
      ]),
    );
  });

  it("keeps the operator's unrelated lines and comments, replacing managed keys instead of duplicating them", () => {
    const operators = [
      "# Local lxc-net settings",
      'USE_LXC_BRIDGE="false"',
      'LXC_ADDR="10.0.3.1"',
      "export LXC_NETWORK=10.0.3.0/24",
      "",
      "# Honor system's dnsmasq configuration",
      "LXC_DHCP_CONFILE=/etc/lxc/dnsmasq.conf",
      '#LXC_DOMAIN="lxc"',
      "",
      "",
    ].join("\n");
    const expected = [
      "# Local lxc-net settings",
      "",
      "# Honor system's dnsmasq configuration",
      "LXC_DHCP_CONFILE=/etc/lxc/dnsmasq.conf",
      '#LXC_DOMAIN="lxc"',
      "",
      BLOCK_24,
    ].join("\n");
    expect(renderLxcNet(operators, lease("10.10.16.1/24"))).toBe(expected);
  });

  it("is stable: rendering its own output again gives the same bytes", () => {
    const debian =
      'USE_LXC_BRIDGE="true"\n\n# Honor system\'s dnsmasq configuration\n#LXC_DHCP_CONFILE=/etc/dnsmasq.conf\n';
    const once = renderLxcNet(debian, lease("10.10.16.1/24"));
    expect(renderLxcNet(once, lease("10.10.16.1/24"))).toBe(once);
    expect(once).toBe(
      `\n# Honor system's dnsmasq configuration\n#LXC_DHCP_CONFILE=/etc/dnsmasq.conf\n\n${BLOCK_24}`,
    );
  });

  it("moves to a new lease by replacing the managed block", () => {
    const old = renderLxcNet("LXC_DOMAIN=lxc\n", lease("10.10.16.1/24"));
    const moved = renderLxcNet(old, lease("10.10.16.65/26"));
    expect(moved).toBe(renderLxcNet("LXC_DOMAIN=lxc\n", lease("10.10.16.65/26")));
    expect(moved.match(/LXC_ADDR=/g)).toHaveLength(1);
  });
});

describe("computeLxcAddressing", () => {
  it("leaves one address in the pool for a /30", () => {
    expect(computeLxcAddressing(lease("10.10.16.1/30"))).toEqual({
      addr: "10.10.16.1",
      netmask: "255.255.255.252",
      network: "10.10.16.0/30",
      dhcpFirst: "10.10.16.2",
      dhcpLast: "10.10.16.2",
      dhcpMax: 1n,
    });
  });

  it("keeps the lease's address and counts the pool of a /24", () => {
    expect(computeLxcAddressing(lease("10.10.200.1/24"))).toEqual({
      addr: "10.10.200.1",
      netmask: "255.255.255.0",
      network: "10.10.200.0/24",
      dhcpFirst: "10.10.200.2",
      dhcpLast: "10.10.200.254",
      dhcpMax: 253n,
    });
  });
});
