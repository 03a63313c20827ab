import type { ContainerType } from "../config/charm-config";
import type { Lease } from "../flannel/subnet-env";
import { IPTABLES_WAIT } from "./lxc/masquerade";
import { planNatRepair } from "./nat-plan";
import { type Exec, execProgram, ProgramError, type Run, runProgram, TIMED_OUT_EXIT_CODE } from "./programs";

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
