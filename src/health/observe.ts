import { readForwardRulesForHealth } from "../bridges/forward-rules";
import { readLinkAddresses } from "../bridges/ip-addr";
import { readNatRulesForHealth } from "../bridges/nat-rules";
import { type Run, runProgram } from "../bridges/programs";
import { isWrittenSince, readLease, SUBNET_ENV_PATH } from "../flannel/subnet-env";
import { CHARM_STATE_PATH, readCharmState } from "../state/charm-state";
import { BRIDGES, type HealthObservation } from "./health";

export interface ObserveOptions {
  /** The flanneld systemd unit. */
  readonly unit?: string;
  readonly subnetEnvPath?: string;
  readonly statePath?: string;
  readonly run?: Run;
}

/** Gathers what health looks at: flanneld's unit state, subnet.env, the bridge and the hooks' state. */
export async function observeHealth(options: ObserveOptions = {}): Promise<HealthObservation> {
  const run = options.run ?? runProgram;
  const state = await readCharmState(options.statePath ?? CHARM_STATE_PATH);
  const bridgeName = state === undefined ? undefined : BRIDGES[state.containerType]?.name;
  const unit = options.unit ?? "flannel";
  const subnetEnvPath = options.subnetEnvPath ?? SUBNET_ENV_PATH;
  const checkRules = bridgeName !== undefined && state?.etcdRelated === true && !state.blocked;
  const [flanneldActive, lease, bridge, natRules, forwardRules] = await Promise.all([
    isServiceActive(unit, run),
    readLease(subnetEnvPath),
    bridgeName === undefined ? undefined : readLinkAddresses(bridgeName, run),
    // Only a ready-looking unit needs the NAT check; the spawn runs beside the others, not after them.
    checkRules ? readNatRulesForHealth(run) : undefined,
    checkRules ? readForwardRulesForHealth(run) : undefined,
  ]);
  const stale = flanneldActive && lease?.ok && (await predatesFlanneld(unit, subnetEnvPath, run));
  return { flanneldActive, lease: stale ? undefined : lease, bridge, state, natRules, forwardRules };
}

// A subnet.env left by an earlier flanneld (say one whose lease etcd revoked) is no lease the running one holds.
async function predatesFlanneld(unit: string, subnetEnvPath: string, run: Run): Promise<boolean> {
  const { exitCode, stdout } = await run("systemctl", [
    "show",
    "-p",
    "ExecMainStartTimestampMonotonic",
    "--value",
    unit,
  ]);
  const startedUs = Number(stdout.trim());
  if (exitCode !== 0 || !(startedUs > 0)) return false;
  return !(await isWrittenSince(subnetEnvPath, startedUs));
}

/** Whether `systemctl is-active UNIT` says active. */
export async function isServiceActive(unit: string, run: Run = runProgram): Promise<boolean> {
  const { exitCode, stdout } = await run("systemctl", ["is-active", unit]);
  return exitCode === 0 && stdout.trim() === "active";
}
