import type { Lease } from "../../flannel/subnet-env";
import { ensureFile, readFileIfExists } from "../../fs/atomic";
import { BACKUP_ROOT, backupOnce, hasBackup, readBackup, restoreBackup } from "../backup";
import { readLinkAddresses } from "../ip-addr";
import { type Exec, execProgram, type Run, runProgram } from "../programs";
import {
  DAEMON_JSON_PATH,
  describeChangedDaemonJson,
  describeInvalidDaemonJson,
  mergeDaemonJson,
  pinBip,
} from "./daemon-json";
import { DOCKER_DROP_IN_PATH, renderDockerDropIn } from "./drop-in";
import { forgetOriginalBridge, readOriginalBridge, recordOriginalBridge } from "./original-bridge";

export const DOCKER_BRIDGE = "docker0";

export interface DockerOptions {
  readonly daemonJsonPath?: string;
  readonly dropInPath?: string;
  readonly backupRoot?: string;
  readonly exec?: Exec;
  readonly run?: Run;
  /** Where a message for the operator goes (an invalid daemon.json kept aside); stderr by default. */
  readonly warn?: (message: string) => void | Promise<void>;
}

interface Resolved {
  path: string;
  dropIn: string;
  root: string;
  exec: Exec;
  run: Run;
  warn: (message: string) => void | Promise<void>;
}

function resolve(options: DockerOptions): Resolved {
  return {
    path: options.daemonJsonPath ?? DAEMON_JSON_PATH,
    dropIn: options.dropInPath ?? DOCKER_DROP_IN_PATH,
    root: options.backupRoot ?? BACKUP_ROOT,
    exec: options.exec ?? execProgram,
    run: options.run ?? runProgram,
    warn: options.warn ?? warnOnStderr,
  };
}

/** Puts docker0 on the lease (bip, mtu, no docker masquerade); returns whether it changed anything. */
export async function ensureDockerBridge(lease: Lease, options: DockerOptions = {}): Promise<boolean> {
  const o = resolve(options);
  const existing = await readFileIfExists(o.path);
  const merge = mergeDaemonJson(existing, lease);
  const dropIn = renderDockerDropIn(lease.mtu);
  const docker0 = await readLinkAddresses(DOCKER_BRIDGE, o.run);
  const stale = docker0 !== undefined && !docker0.addresses.includes(lease.subnet);
  const daemonJsonChanged = existing !== merge.content;
  const dropInChanged = (await readFileIfExists(o.dropIn)) !== dropIn;
  const mtuWrong = docker0 !== undefined && docker0.mtu !== lease.mtu;
  if (!daemonJsonChanged && !stale && !dropInChanged && !mtuWrong) return false;
  const wroteBefore = await hasBackup(o.path, o.root);
  if (!wroteBefore) await recordOriginalBridge(o.root, docker0);
  await backupOnce(o.path, o.root);
  await backupOnce(o.dropIn, o.root);
  if (merge.invalidExisting && existing !== undefined) {
    const keptAt = await keepAside(o.path, existing);
    await o.warn(describeInvalidDaemonJson(o.path, keptAt));
  } else if (daemonJsonChanged && wroteBefore) {
    // The charm wrote this file before: it was edited by hand, or the lease moved.
    await o.warn(describeChangedDaemonJson(o.path));
  }
  await ensureFile(o.path, merge.content);
  if (await ensureFile(o.dropIn, dropIn)) await o.exec("systemctl", ["daemon-reload"]);
  if (daemonJsonChanged || stale) await restartDocker(o.exec, stale);
  else await o.exec("ip", ["link", "set", "dev", DOCKER_BRIDGE, "mtu", String(lease.mtu)]);
  return true;
}

/**
 * Puts back daemon.json as it was before the charm and restarts docker. dockerd remembers its last bip
 * in its network store and recreates docker0 from it, so when the original daemon.json sets no bip docker
 * is first started once with the address docker0 had before the charm, and only then gets the original file.
 */
export async function restoreDockerBridge(options: DockerOptions = {}): Promise<boolean> {
  const o = resolve(options);
  if (!(await hasBackup(o.path, o.root)) && !(await hasBackup(o.dropIn, o.root))) return false;
  const original = await readBackup(o.path, o.root);
  const pinned = pinBip(
    original === null ? undefined : original?.toString("utf8"),
    await readOriginalBridge(o.root),
  );
  const docker0 = await readLinkAddresses(DOCKER_BRIDGE, o.run);
  if (await restoreBackup(o.dropIn, o.root)) await o.exec("systemctl", ["daemon-reload"]);
  if (pinned !== undefined) {
    await ensureFile(o.path, pinned);
    await restartDocker(o.exec, docker0 !== undefined);
    // Started with the pinned bip, docker keeps that address with the original file as well.
    await restoreBackup(o.path, o.root);
  } else if (await restoreBackup(o.path, o.root)) {
    await restartDocker(o.exec, docker0 !== undefined).catch((error: Error) =>
      o.warn(`docker did not start with the restored ${o.path}: ${error.message}`),
    );
  }
  await forgetOriginalBridge(o.root);
  return true;
}

// docker keeps an existing docker0 on its old address, so a bridge left from another bip is removed while
// docker is stopped and docker creates it afresh on start. docker.socket would start dockerd again in
// between, so both stop; reset-failed keeps docker's start limit (3 in 60 s) from refusing a quick switch.
export async function restartDocker(exec: Exec = execProgram, deleteBridge = false): Promise<void> {
  await exec("systemctl", ["stop", "docker.socket", "docker.service"]);
  if (deleteBridge) await exec("ip", ["link", "delete", DOCKER_BRIDGE]);
  await exec("systemctl", ["reset-failed", "docker.service"]);
  await exec("systemctl", ["start", "docker.service"]);
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
