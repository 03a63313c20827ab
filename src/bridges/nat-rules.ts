import type { ContainerType } from "../config/charm-config";
import type { Lease } from "../flannel/subnet-env";
import { computeLxcAddressing } from "./lxc/lxc-net";
import { computeLxcNatExemptions, IPTABLES_WAIT } from "./lxc/masquerade";
import { type Exec, execProgram, ProgramError, type Run, runProgram, TIMED_OUT_EXIT_CODE } from "./programs";

/** What to change in nat POSTROUTING, as iptables rule specs (without -A/-I/-D). */
export interface NatPlan {
  readonly delete: string[][];
  readonly insert: string[][];
}

const HEALTH_WAIT = ["-w", "2"];
const HEALTH_TIMEOUT_MS = 3_000;

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

/** ./health's one look at nat POSTROUTING, short-bounded; undefined when iptables cannot answer. */
export async function readNatRulesForHealth(run: Run = runProgram): Promise<string | undefined> {
  const args = [...HEALTH_WAIT, "-t", "nat", "-S", "POSTROUTING"];
  const { exitCode, stdout } = await run("iptables", args, { timeoutMs: HEALTH_TIMEOUT_MS });
  return exitCode === 0 ? stdout : undefined;
}

/** Repairs nat POSTROUTING for the bridge (see planNatRepair); returns the changes made, as iptables arguments. */
export async function ensureNatRules(
  lease: Lease,
  type: ContainerType,
  ipMasq: boolean,
  options: { run?: Run; exec?: Exec } = {},
): Promise<string[]> {
  if (type === "none") return [];
  const nat = [...IPTABLES_WAIT, "-t", "nat"];
  const list = ["iptables", ...nat, "-S", "POSTROUTING"];
  const { exitCode, stdout } = await (options.run ?? runProgram)("iptables", list.slice(1));
  if (exitCode !== 0) {
    const message = `${list.join(" ")} failed (exit code ${exitCode})`;
    throw new ProgramError(list.join(" "), exitCode === TIMED_OUT_EXIT_CODE, exitCode, "", message);
  }
  const plan = planNatRepair(stdout, lease, type, ipMasq);
  const changes = [
    ...plan.delete.map((rule) => [...nat, "-D", "POSTROUTING", ...rule]),
    ...plan.insert.map((rule) => [...nat, "-I", "POSTROUTING", "1", ...rule]),
  ];
  for (const args of changes) await (options.exec ?? execProgram)("iptables", args);
  return changes.map((args) => args.join(" "));
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
