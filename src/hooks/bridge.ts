import { restoreDockerBridge } from "../bridges/docker/apply";
import { removeForwardRules } from "../bridges/forward-rules";
import { restoreLxcBridge } from "../bridges/lxc/apply";
import { ProgramError } from "../bridges/programs";
import type { CharmConfig, ContainerType } from "../config/charm-config";
import { ServiceStartError } from "../flannel/service";
import type { Lease } from "../flannel/subnet-env";
import { jujuLog } from "../juju/status";
import type { Action } from "../machine/actions";
import { applyDataPath } from "../machine/apply";
import { compareBridgeFiles, readBridgeFiles } from "../machine/bridge-files";
import { leaseOf, planDataPath } from "../machine/data-path";
import { BRIDGE_NAMES, observeMachine } from "../machine/facts";
import { traceNote } from "../trace/spans";
import type { UnitRecord } from "./unit-record";
import { waiting } from "./unit-status";

/**
 * One step is applied per pass, then everything is observed and planned again: a restart can move what
 * later steps plan from (lease → bridge → rules; lxc-net puts back its own rules and the charm's
 * exemptions), so their plans from before it would add twice what the restart already put back.
 */
const MAX_PASSES = 8;

/**
 * Brings the data path to its plan (machine/data-path.ts): observe, plan, apply, and again until the plan
 * is empty; switching container-type first gives the old bridge its original files back. Returns the
 * lease and the bridge's name. What a pass cannot repair (a program that fails or hangs: lxc-net, docker,
 * iptables) makes the unit wait, naming it: update-status tries again, and the status never says ready
 * while ./health, judging the same plan, would not.
 */
export async function ensureDataPath(config: CharmConfig, lease: Lease, record: UnitRecord) {
  if (record.bridge && record.bridge !== config.containerType) await restoreBridge(record.bridge);
  // Recorded before the files change: a step that stops the hook halfway must still be undone on remove.
  record.bridge = config.containerType;
  let held = lease;
  for (let pass = 0; ; pass++) {
    const { actions, lease: now } = await planNow(config);
    held = now ?? held;
    if (actions.length === 0) return { lease: held, bridge: BRIDGE_NAMES[config.containerType] };
    // A lease still missing after a pass waited for it is flanneld's to bring, and inputs that moved (the
    // machine renumbered before Juju tells the unit) the next hook's: update-status looks again.
    const first = actions[0].effect.kind;
    const stalled = (pass > 0 && first === "wait-for-lease") || first === "reconcile-inputs";
    if (pass === MAX_PASSES || stalled) waiting(`${actions[0].why}${reasonOf(actions[0])}; retrying`);
    const step = actions.filter((action) => action.step === actions[0].step);
    traceNote("apply", step.map((action) => action.why).join("; "));
    await applyDataPath(step, { lease: held, config }).catch(waitIfProgramFailed);
  }
}

async function planNow(config: CharmConfig): Promise<{ actions: Action[]; lease: Lease | undefined }> {
  const scope = { containerType: config.containerType, backend: config.backend };
  const [facts, files] = await Promise.all([observeMachine(scope), readBridgeFiles(config.containerType)]);
  const lease = leaseOf(facts);
  const same = lease && compareBridgeFiles(config.containerType, files, lease, config.ipMasq);
  return { actions: planDataPath(facts, { ...scope, ipMasq: config.ipMasq }, same), lease };
}

function reasonOf(action: Action): string {
  return action.reason === undefined ? "" : ` (${action.reason})`;
}

function waitIfProgramFailed(error: unknown): never {
  if (error instanceof ProgramError || error instanceof ServiceStartError)
    waiting(`could not set up the container bridge: ${error.message}; retrying`);
  throw error;
}

/** Gives a bridge back the files it had before the charm touched them. */
export async function restoreBridge(type: ContainerType) {
  if (type === "lxc") await restoreLxcBridge();
  if (type === "docker") await restoreDockerBridge({ warn: warnInLog });
  await removeForwardRules();
}

/** An operator must see what the bridge step did to their files: in the unit's log, not only on stderr. */
function warnInLog(message: string) {
  return jujuLog("WARNING", message);
}
