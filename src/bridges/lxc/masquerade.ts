import type { Lease } from "../../flannel/subnet-env";
import { computeLxcAddressing, LXC_BRIDGE } from "./lxc-net";

/** systemd drop-in for lxc-net.service that keeps overlay traffic from being masqueraded. */
export const LXC_NET_DROP_IN_PATH = "/etc/systemd/system/lxc-net.service.d/flannel.conf";

const IPTABLES = "/usr/sbin/iptables";
const IP = "/usr/sbin/ip";
const TAG = ["-m", "comment", "--comment", "flannel-charm"];

/**
 * The nat POSTROUTING exemptions for the lxc subnet, as iptables rule specs (without -A/-I/-D).
 * lxc-net appends `-s SUBNET ! -d SUBNET -j MASQUERADE`; these RETURNs go above it so traffic to other
 * overlay subnets keeps its source address, and with ip-masq off nothing from the subnet is masqueraded
 * (flanneld --ip-masq masquerades traffic leaving the network itself).
 */
export function computeLxcNatExemptions(lease: Lease, ipMasq: boolean): string[][] {
  const subnet = computeLxcAddressing(lease).network;
  const rules = [["-s", subnet, "-d", lease.network, ...TAG, "-j", "RETURN"]];
  if (!ipMasq) rules.push(["-s", subnet, ...TAG, "-j", "RETURN"]);
  return rules;
}

/** Renders the lxc-net drop-in: exemptions added after start (deleted first, so restarts never duplicate them), removed after stop, and the bridge MTU pinned to the lease's. */
export function renderLxcNetDropIn(lease: Lease, ipMasq: boolean): string {
  const rules = computeLxcNatExemptions(lease, ipMasq);
  const nat = [IPTABLES, "-w", "-t", "nat"];
  const del = (rule: string[]) => [...nat, "-D", "POSTROUTING", ...rule].join(" ");
  const insert = (rule: string[]) => [...nat, "-I", "POSTROUTING", "1", ...rule].join(" ");
  return [
    "# Managed by the flannel charm: traffic between overlay subnets keeps its source address.",
    "[Service]",
    ...rules.map((rule) => `ExecStartPost=-${del(rule)}`),
    ...rules.map((rule) => `ExecStartPost=${insert(rule)}`),
    `ExecStartPost=${IP} link set dev ${LXC_BRIDGE} mtu ${lease.mtu}`,
    ...rules.map((rule) => `ExecStopPost=-${del(rule)}`),
    "",
  ].join("\n");
}
