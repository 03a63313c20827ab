import { stat } from "node:fs/promises";
import { join } from "node:path";
import { FLANNELD_PATH, InvalidFlanneldError, installFlanneld, readFlanneldVersion } from "../flannel/binary";
import { jujuLog } from "../juju/status";
import { resourceGet } from "../juju/unit";
import { mayInstallNow } from "./rolling-upgrade";
import { markRestartPending, type UnitRecord } from "./unit-record";
import { blocked } from "./unit-status";

export const ATTACH_HINT = "juju attach-resource flannel flannel=./flanneld";

export interface FlanneldBinary {
  readonly path: string;
  readonly version: string;
  /** Whether this run installed a new binary, so a running flanneld must restart. */
  readonly changed: boolean;
}

/**
 * Installs flanneld from the Juju resource when it changed; otherwise keeps the binary already there.
 * A corrupt resource blocks the unit but leaves a good installed binary running.
 */
export async function ensureFlanneldBinary(record: UnitRecord): Promise<FlanneldBinary> {
  const resource = await resourceGet("flannel");
  if (resource === undefined) {
    const existing = await existingBinary(`no flannel resource is attached: run '${ATTACH_HINT}'`);
    // Known, so that a hook finding everything in place can prove it without asking the binary again.
    if (existing.path === FLANNELD_PATH) record.flanneldVersion = existing.version;
    return existing;
  }
  const stamp = await stampOf(resource);
  if (stamp === record.resourceStamp && record.flanneldVersion && (await isInstalled())) {
    return { path: FLANNELD_PATH, version: record.flanneldVersion, changed: false };
  }
  // A refused resource is not read again (it may be a bomb) until another one is attached.
  if (stamp === record.rejectedResource?.stamp) blocked(unusable(record.rejectedResource.reason));
  const wasPending = record.restartPending === true;
  try {
    // A running overlay takes a new binary only in its turn (rolling upgrade); until then nothing restarts.
    if (!(await mayInstallNow(record, stamp, resource))) {
      return { path: FLANNELD_PATH, version: record.flanneldVersion ?? "", changed: false };
    }
    // Marked before the new binary can replace the old: a hook that stops before the restart must not
    // leave the old flanneld running for good. Cleared again if nothing was replaced.
    await markRestartPending(record);
    const installed = await installFlanneld(resource);
    record.restartPending = wasPending || installed.changed;
    Object.assign(record, { resourceStamp: stamp, flanneldVersion: installed.version });
    delete record.rejectedResource;
    return { path: FLANNELD_PATH, ...installed };
  } catch (error) {
    record.restartPending = wasPending;
    if (!(error instanceof InvalidFlanneldError)) throw error;
    record.rejectedResource = { stamp, reason: error.message };
    await jujuLog("ERROR", `the flannel resource was not installed: ${error.message}`);
    blocked(unusable(error.message));
  }
}

function unusable(reason: string): string {
  return `the flannel resource is not a usable flanneld (${reason}): attach a good one with '${ATTACH_HINT}'`;
}

// Without a resource, a flanneld the machine already has (installed by the charm or by hand) will do.
async function existingBinary(problem: string): Promise<FlanneldBinary> {
  const path = (await isInstalled()) ? FLANNELD_PATH : await findOnPath("flanneld");
  if (path === undefined) blocked(problem);
  try {
    return { path, version: await readFlanneldVersion(path), changed: false };
  } catch (error) {
    if (!(error instanceof InvalidFlanneldError)) throw error;
    blocked(`${path} is not a usable flanneld (${error.reason.split("\n")[0]}) and ${problem}`);
  }
}

async function isInstalled(path = FLANNELD_PATH) {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? "").split(":").filter(Boolean)) {
    if (await isInstalled(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

// Juju hands the same path for an unchanged resource, so size and mtime tell whether to re-read 75 MB.
async function stampOf(path: string) {
  const info = await stat(path);
  return `${info.size}:${info.mtimeMs}`;
}
