// The pure half of the NAT checks: what nat POSTROUTING needs for the bridge, and ./health's one look at it.
// No execa here: ./health imports this module and must start in little more than Node's own startup.
import type { ContainerType } from "../config/charm-config";
import type { Lease } from "../flannel/subnet-env";
import { computeLxcAddressing } from "./lxc/lxc-net";
import { computeLxcNatExemptions } from "./lxc/masquerade";

/** What to change in nat POSTROUTING, as iptables rule specs (without -A/-I/-D). */
export interface NatPlan {
  readonly delete: string[][];
  readonly insert: string[][];
}

/**
 * Compares nat POSTROUTING (`iptables -t nat -S POSTROUTING` output) with what the bridge relies on so
 * that overlay traffic keeps its source address. lxc: the charm's exemptions above lxc-net's MASQUERADE
 * (its drop-in adds them only when lxc-net starts, so a deleted one is re-inserted at the top). docker:
 * no MASQUERADE of the subnet at all, since daemon.json sets "ip-masq": false.
 */
export function planNatRepair(
  postrouting: string,
  lease: Lease,
  type: ContainerType,
  ipMasq = lease.ipMasq,
): NatPlan {
  const rules = parseRules(postrouting);
  const masquerades = rules.filter((rule) => isMasqueradeOf(rule, subnetOf(lease)));
  if (type === "docker") return { delete: masquerades.map(split), insert: [] };
  if (type !== "lxc") return { delete: [], insert: [] };
  const firstMasquerade = masquerades.length > 0 ? rules.indexOf(masquerades[0]) : rules.length;
  const plan: NatPlan = { delete: [], insert: [] };
  for (const exemption of computeLxcNatExemptions(lease, ipMasq)) {
    const at = rules.indexOf(exemption.join(" "));
    if (at > firstMasquerade) plan.delete.push(exemption);
    if (at < 0 || at > firstMasquerade) plan.insert.push(exemption);
  }
  return plan;
}

/** The health reason token for a NAT problem, or undefined when the rules are as the bridge needs them. */
export function findNatProblem(
  postrouting: string,
  lease: Lease,
  type: ContainerType,
): "nat-exemption-missing" | "nat-masquerade" | undefined {
  const plan = planNatRepair(postrouting, lease, type);
  if (plan.insert.length > 0) return "nat-exemption-missing";
  if (plan.delete.length > 0) return "nat-masquerade";
  return undefined;
}

function parseRules(postrouting: string): string[] {
  const prefix = "-A POSTROUTING ";
  return postrouting
    .split("\n")
    .filter((line) => line.startsWith(prefix))
    .map((line) => line.slice(prefix.length).trim());
}

function subnetOf(lease: Lease): string {
  return computeLxcAddressing(lease).network;
}

function isMasqueradeOf(rule: string, subnet: string): boolean {
  return rule.startsWith(`-s ${subnet} `) && rule.endsWith("-j MASQUERADE");
}

// iptables -S quotes a comment with spaces ("flanneld masq"); the quotes are not part of the argument.
function split(rule: string): string[] {
  return (rule.match(/"[^"]*"|\S+/g) ?? []).map((word) => word.replace(/^"(.*)"$/, "$1"));
}
