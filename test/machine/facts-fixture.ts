import type { MachineFacts } from "../../src/machine/facts";

/** lxc-net's own filter rules for lxcbr0 (INPUT accepts for DHCP and DNS, FORWARD accepts), as `iptables -S` lists them. */
export const LXC_NET_FILTER_LINES = [
  "-A INPUT -i lxcbr0 -p tcp -m tcp --dport 53 -j ACCEPT",
  "-A INPUT -i lxcbr0 -p udp -m udp --dport 53 -j ACCEPT",
  "-A INPUT -i lxcbr0 -p tcp -m tcp --dport 67 -j ACCEPT",
  "-A INPUT -i lxcbr0 -p udp -m udp --dport 67 -j ACCEPT",
  "-A FORWARD -o lxcbr0 -j ACCEPT",
  "-A FORWARD -i lxcbr0 -j ACCEPT",
];

/** nat POSTROUTING of a ready lxc machine on 10.10.16.1/24: the charm's exemption above lxc-net's masquerade. */
export const READY_NAT = [
  "-P POSTROUTING ACCEPT",
  "-A POSTROUTING -s 10.10.16.0/24 -d 10.10.0.0/16 -m comment --comment flannel-charm -j RETURN",
  "-A POSTROUTING -s 10.10.16.0/24 ! -d 10.10.16.0/24 -j MASQUERADE",
].join("\n");

/** The filter table of a ready lxc machine whose FORWARD drops (Docker's policy): the charm's and lxc-net's accepts. */
export const READY_FILTER = [
  "-P INPUT ACCEPT",
  "-P FORWARD DROP",
  "-A FORWARD -s 10.10.0.0/16 -m comment --comment flannel-charm -j ACCEPT",
  "-A FORWARD -d 10.10.0.0/16 -m comment --comment flannel-charm -j ACCEPT",
  ...LXC_NET_FILTER_LINES,
].join("\n");

/** A udp/lxc machine whose data path is as it should be for 10.10.16.1/24 (rules not listed). */
export function readyFacts(change: Partial<MachineFacts> = {}): MachineFacts {
  return {
    flanneldRunning: true,
    flanneldStartedUs: 1_000_000,
    lease: { ok: true, lease: { network: "10.10.0.0/16", subnet: "10.10.16.1/24", mtu: 1472, ipMasq: true } },
    leaseFileLost: false,
    ipForward: "1",
    announced: "198.51.100.11",
    localAddresses: ["198.51.100.11", "10.10.16.0", "10.10.16.1"],
    flannelDevice: { name: "flannel0", addresses: ["10.10.16.0/16"], mtu: 1472, up: true },
    bridge: { name: "lxcbr0", addresses: ["10.10.16.1/24"], mtu: 1472, up: true },
    detachedVeths: [],
    routes: [
      { destination: "10.10.0.0/16", device: "flannel0", gateway: "0.0.0.0" },
      { destination: "10.10.16.0/24", device: "lxcbr0", gateway: "0.0.0.0" },
    ],
    lxcNet: { started: true, dnsmasq: true },
    natRules: undefined,
    filterRules: undefined,
    ...change,
  };
}
