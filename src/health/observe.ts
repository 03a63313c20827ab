import { readForwardRulesForHealth } from "../bridges/forward-plan";
import { parseIpAddrJson } from "../bridges/ip-addr";
import { readNatRulesForHealth } from "../bridges/nat-plan";
import type { Run } from "../bridges/programs";
import { isWrittenSince, readLease, SUBNET_ENV_PATH } from "../flannel/subnet-env";
import { CHARM_STATE_PATH, readCharmState } from "../state/charm-state";
import { BRIDGES, type BridgeObservation, type HealthObservation } from "./health";
import { lightRun } from "./light-run";
import { bridgeAddrArgs } from "./prefetched";
import { probeUnit, type UnitProbe, type UnitProbeOptions } from "./unit-running";

export interface ObserveOptions {
  /** The flanneld systemd unit. */
  readonly unit?: string;
  readonly subnetEnvPath?: string;
  readonly statePath?: string;
  readonly run?: Run;
  /** Where PID 1's /proc entry and the cgroup mounts are (tests point these at a fake tree). */
  readonly probe?: UnitProbeOptions;
}

// Health runs on every `juju exec … ./health`, so it uses no execa and no systemctl: see light-run.ts
// and unit-running.ts for what that saves.
/** Gathers what health looks at: flanneld's unit state, subnet.env, the bridge and the hooks' state. */
export async function observeHealth(options: ObserveOptions = {}): Promise<HealthObservation> {
  const run = options.run ?? lightRun;
  const state = await readCharmState(options.statePath ?? CHARM_STATE_PATH);
  const bridgeName = state === undefined ? undefined : BRIDGES[state.containerType]?.name;
  const unit = options.unit ?? "flannel";
  const subnetEnvPath = options.subnetEnvPath ?? SUBNET_ENV_PATH;
  const checkRules = bridgeName !== undefined && state?.etcdRelated === true && !state.blocked;
  const [flanneld, lease, bridge, natRules, forwardRules] = await Promise.all([
    probeUnit(unit, run, options.probe),
    readLease(subnetEnvPath),
    bridgeName === undefined ? undefined : readBridge(bridgeName, run),
    // Only a ready-looking unit needs the NAT check; the spawn runs beside the others, not after them.
    checkRules ? readNatRulesForHealth(run) : undefined,
    checkRules ? readForwardRulesForHealth(run) : undefined,
  ]);
  const flanneldActive = flanneld.running;
  const stale = flanneldActive && lease?.ok && (await predatesFlanneld(flanneld, subnetEnvPath));
  return { flanneldActive, lease: stale ? undefined : lease, bridge, state, natRules, forwardRules };
}

// A subnet.env left by an earlier flanneld (say one whose lease etcd revoked) is no lease the running one holds.
async function predatesFlanneld(flanneld: UnitProbe, subnetEnvPath: string): Promise<boolean> {
  const startedUs = await flanneld.startedUs();
  if (startedUs === undefined) return false;
  return !(await isWrittenSince(subnetEnvPath, startedUs));
}

/** The bridge's addresses and MTU from `ip -j addr show dev NAME`; undefined when it does not exist. */
async function readBridge(name: string, run: Run): Promise<BridgeObservation | undefined> {
  const { exitCode, stdout } = await run("ip", bridgeAddrArgs(name));
  return exitCode === 0 ? parseIpAddrJson(stdout) : undefined;
}
