import type { MachineFacts } from "../../src/machine/facts";

/** A udp/lxc machine whose data path is as it should be for 10.10.16.1/24 (rules not listed). */
export function readyFacts(change: Partial<MachineFacts> = {}): MachineFacts {
  return {
    flanneldRunning: true,
    flanneldStartedUs: 1_000_000,
    lease: { ok: true, lease: { network: "10.10.0.0/16", subnet: "10.10.16.1/24", mtu: 1472, ipMasq: true } },
    leaseFileLost: false,
    ipForward: "1",
    flannelDevice: { name: "flannel0", addresses: ["10.10.16.0/16"], mtu: 1472, up: true },
    bridge: { name: "lxcbr0", addresses: ["10.10.16.1/24"], mtu: 1472, up: true },
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
