import { IPTABLES_WAIT } from "./lxc/masquerade";
import { type Exec, execProgram, ProgramError, type Run, runProgram, TIMED_OUT_EXIT_CODE } from "./programs";

// Docker (and many firewall tools) set the FORWARD policy to DROP: overlay traffic between the bridge and
// flannel0 is forwarded, so it needs accept rules of its own. flanneld adds some (FLANNEL-FWD) but an
// `nft flush ruleset` removes its chain and it cannot re-add the jump; the charm keeps its own pair.

const TAG = ["-m", "comment", "--comment", "flannel-charm"];
const HEALTH_WAIT = ["-w", "2"];
const HEALTH_TIMEOUT_MS = 3_000;

/** The FORWARD accept rules for the overlay network, as iptables rule specs (without -A/-I/-D). */
export function computeForwardRules(network: string): string[][] {
  return [
    ["-s", network, ...TAG, "-j", "ACCEPT"],
    ["-d", network, ...TAG, "-j", "ACCEPT"],
  ];
}

/** The charm's rules missing from `iptables -S FORWARD` output. */
export function findMissingForwardRules(listing: string, network: string): string[][] {
  const lines = new Set(listing.split("\n").map((line) => line.trim()));
  return computeForwardRules(network).filter((rule) => !lines.has(`-A FORWARD ${rule.join(" ")}`));
}

/** The health reason token: only a FORWARD that drops makes missing rules stop the overlay. */
export function findForwardProblem(listing: string, network: string): string | undefined {
  if (listing.split("\n").some((line) => line.trim() === "-P FORWARD ACCEPT")) return undefined;
  return findMissingForwardRules(listing, network).length > 0 ? "forward-dropped" : undefined;
}

/** ./health's one look at filter FORWARD, short-bounded; undefined when iptables cannot answer. */
export async function readForwardRulesForHealth(run: Run = runProgram): Promise<string | undefined> {
  const args = [...HEALTH_WAIT, "-S", "FORWARD"];
  const { exitCode, stdout } = await run("iptables", args, { timeoutMs: HEALTH_TIMEOUT_MS });
  return exitCode === 0 ? stdout : undefined;
}

/** Inserts the missing accept rules at the top of FORWARD; returns the changes made, as iptables arguments. */
export async function ensureForwardRules(
  network: string,
  options: { run?: Run; exec?: Exec } = {},
): Promise<string[]> {
  const listing = await listForward(options.run ?? runProgram);
  const changes = findMissingForwardRules(listing, network).map((rule) => [
    ...IPTABLES_WAIT,
    "-I",
    "FORWARD",
    "1",
    ...rule,
  ]);
  for (const args of changes) await (options.exec ?? execProgram)("iptables", args);
  return changes.map((args) => args.join(" "));
}

/** Deletes the charm's accept rules, whatever network they name (on remove, or container-type none). */
export async function removeForwardRules(options: { run?: Run; exec?: Exec } = {}): Promise<void> {
  const listing = await listForward(options.run ?? runProgram);
  const ours = listing
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("-A FORWARD ") && line.includes(TAG.join(" ")));
  for (const line of ours) {
    const rule = line.split(" ").slice(2);
    await (options.exec ?? execProgram)("iptables", [...IPTABLES_WAIT, "-D", "FORWARD", ...rule]);
  }
}

async function listForward(run: Run): Promise<string> {
  const list = [...IPTABLES_WAIT, "-S", "FORWARD"];
  const { exitCode, stdout } = await run("iptables", list);
  if (exitCode !== 0) {
    const command = `iptables ${list.join(" ")}`;
    throw new ProgramError(
      command,
      exitCode === TIMED_OUT_EXIT_CODE,
      exitCode,
      "",
      `${command} failed (exit code ${exitCode})`,
    );
  }
  return stdout;
}
