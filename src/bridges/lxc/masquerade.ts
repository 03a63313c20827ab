import type { Lease } from "../../flannel/subnet-env";
import { computeLxcAddressing, LXC_BRIDGE } from "./lxc-net";

/** systemd drop-in for lxc-net.service that keeps overlay traffic from being masqueraded. */
export const LXC_NET_DROP_IN_PATH = "/etc/systemd/system/lxc-net.service.d/flannel.conf";

const IPTABLES = "/usr/sbin/iptables";
const IP = "/usr/sbin/ip";
const TAG = ["-m", "comment", "--comment", "flannel-charm"];
/** iptables-legacy waits for the xtables lock this long at most (a bare -w waits forever). */
export const IPTABLES_WAIT = ["-w", "5"];
// lxc-net is a oneshot, which systemd never times out by default: a hung start (its own iptables -w
// waits for the lock without bound) would hang every hook that starts it.
const START_TIMEOUT_SEC = 30;

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

/**
 * Renders the lxc-net drop-in: a bounded start, exemptions added after start (deleted first, so restarts
 * never duplicate them), removed after stop, and the bridge MTU pinned to the lease's.
 */
export function renderLxcNetDropIn(lease: Lease, ipMasq: boolean): string {
  const rules = computeLxcNatExemptions(lease, ipMasq);
  const nat = [IPTABLES, ...IPTABLES_WAIT, "-t", "nat"];
  const del = (rule: string[]) => [...nat, "-D", "POSTROUTING", ...rule].join(" ");
  const insert = (rule: string[]) => [...nat, "-I", "POSTROUTING", "1", ...rule].join(" ");
  return [
    "# Managed by the flannel charm: traffic between overlay subnets keeps its source address.",
    "[Service]",
    `TimeoutStartSec=${START_TIMEOUT_SEC}`,
    ...rules.map((rule) => `ExecStartPost=-${del(rule)}`),
    ...rules.map((rule) => `ExecStartPost=${insert(rule)}`),
    `ExecStartPost=${IP} link set dev ${LXC_BRIDGE} mtu ${lease.mtu}`,
    ...rules.map((rule) => `ExecStopPost=-${del(rule)}`),
    "",
  ].join("\n");
}
