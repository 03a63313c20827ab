import { findMissingForwardRules, TAG } from "./forward-plan";
import { IPTABLES_WAIT } from "./lxc/masquerade";
import { type Exec, execProgram, ProgramError, type Run, runProgram, TIMED_OUT_EXIT_CODE } from "./programs";

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
