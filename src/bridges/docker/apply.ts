import type { Lease } from "../../flannel/subnet-env";
import { ensureFile, readFileIfExists } from "../../fs/atomic";
import { BACKUP_ROOT, backupOnce, hasBackup, restoreBackup } from "../backup";
import { readLinkAddresses } from "../ip-addr";
import { type Exec, execProgram, type Run, runProgram } from "../programs";
import { DAEMON_JSON_PATH, describeInvalidDaemonJson, mergeDaemonJson } from "./daemon-json";

export const DOCKER_BRIDGE = "docker0";

export interface DockerOptions {
  readonly daemonJsonPath?: string;
  readonly backupRoot?: string;
  readonly exec?: Exec;
  readonly run?: Run;
  /** Where a message for the operator goes (an invalid daemon.json kept aside); stderr by default. */
  readonly warn?: (message: string) => void;
}

/** Puts docker0 on the lease (bip, mtu, no docker masquerade); returns whether it changed anything. */
export async function ensureDockerBridge(lease: Lease, options: DockerOptions = {}): Promise<boolean> {
  const path = options.daemonJsonPath ?? DAEMON_JSON_PATH;
  const existing = await readFileIfExists(path);
  const merge = mergeDaemonJson(existing, lease);
  const docker0 = await readLinkAddresses(DOCKER_BRIDGE, options.run ?? runProgram);
  const stale = docker0 !== undefined && !docker0.addresses.includes(lease.subnet);
  if (existing === merge.content && !stale) return false;
  await backupOnce(path, options.backupRoot ?? BACKUP_ROOT);
  if (merge.invalidExisting && existing !== undefined) {
    const keptAt = await keepAside(path, existing);
    (options.warn ?? warnOnStderr)(describeInvalidDaemonJson(path, keptAt));
  }
  await ensureFile(path, merge.content);
  await restartDocker(options.exec ?? execProgram, stale);
  return true;
}

/** Puts back daemon.json as it was before the charm and restarts docker if that changed it. */
export async function restoreDockerBridge(options: DockerOptions = {}): Promise<boolean> {
  const path = options.daemonJsonPath ?? DAEMON_JSON_PATH;
  const root = options.backupRoot ?? BACKUP_ROOT;
  if (!(await hasBackup(path, root)) || !(await restoreBackup(path, root))) return false;
  const docker0 = await readLinkAddresses(DOCKER_BRIDGE, options.run ?? runProgram);
  await restartDocker(options.exec ?? execProgram, docker0 !== undefined);
  return true;
}

// docker keeps an existing docker0 on its old address, so a bridge left from another bip is removed while
// docker is stopped and docker creates it afresh on start.
async function restartDocker(exec: Exec, deleteBridge: boolean): Promise<void> {
  await exec("systemctl", ["stop", "docker"]);
  if (deleteBridge) await exec("ip", ["link", "delete", DOCKER_BRIDGE]);
  await exec("systemctl", ["start", "docker"]);
}

/** Saves an invalid daemon.json beside it under a name not yet taken (or already holding this text). */
async function keepAside(path: string, text: string): Promise<string> {
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? `${path}.invalid` : `${path}.invalid.${n}`;
    const there = await readFileIfExists(candidate);
    if (there === undefined || there === text) {
      await ensureFile(candidate, text, { mode: 0o600 });
      return candidate;
    }
  }
}

function warnOnStderr(message: string): void {
  process.stderr.write(`${message}\n`);
}
