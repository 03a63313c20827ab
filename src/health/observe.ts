import { parseIpAddrJson } from "../bridges/ip-addr";
import type { Run } from "../bridges/programs";
import { readLease, SUBNET_ENV_PATH } from "../flannel/subnet-env";
import { CHARM_STATE_PATH, readCharmState } from "../state/charm-state";
import { BRIDGES, type BridgeObservation, type HealthObservation } from "./health";
import { lightRun } from "./light-run";
import { isUnitRunning, type UnitProbeOptions } from "./unit-running";

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
  const [flanneldActive, lease, bridge] = await Promise.all([
    isUnitRunning(options.unit ?? "flannel", run, options.probe),
    readLease(options.subnetEnvPath ?? SUBNET_ENV_PATH),
    bridgeName === undefined ? undefined : readBridge(bridgeName, run),
  ]);
  return { flanneldActive, lease, bridge, state };
}

/** The bridge's addresses and MTU from `ip -j addr show dev NAME`; undefined when it does not exist. */
async function readBridge(name: string, run: Run): Promise<BridgeObservation | undefined> {
  const { exitCode, stdout } = await run("ip", ["-j", "addr", "show", "dev", name]);
  return exitCode === 0 ? parseIpAddrJson(stdout) : undefined;
}
