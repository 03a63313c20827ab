import { readFile, watch, writeFile } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { execa } from "execa";
import { ensureFile, readFileIfExists, removeFile } from "../fs/atomic";
import { type LeaseResult, parseSubnetEnv, SUBNET_ENV_PATH } from "./subnet-env";

export const SERVICE_NAME = "flannel.service";
export const UNIT_PATH = "/etc/systemd/system/flannel.service";
export const SYSCTL_PATH = "/etc/sysctl.d/60-flannel.conf";
export const IP_FORWARD_PROC_PATH = "/proc/sys/net/ipv4/ip_forward";
/** Devices flanneld creates: flannel0 (udp), flannel.1 (vxlan). */
export const FLANNEL_DEVICES = ["flannel0", "flannel.1"] as const;

const SYSTEMCTL_TIMEOUT_MS = 30_000;

/** systemd could not start flanneld (it crashed or exited at once); systemd keeps retrying it by itself. */
export class ServiceStartError extends Error {
  constructor(action: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message.split("\n")[0] : String(cause);
    super(`systemctl ${action} ${SERVICE_NAME} failed: ${detail}`, { cause });
    this.name = "ServiceStartError";
  }
}

/** Writes the unit, reloads systemd only if it changed, enables it and (re)starts flanneld only on change. */
export async function ensureService(
  unitText: string,
  options: { restart?: boolean; unitPath?: string } = {},
): Promise<boolean> {
  const changed = await ensureFile(options.unitPath ?? UNIT_PATH, unitText);
  if (changed) await systemctl("daemon-reload");
  await systemctl("enable", SERVICE_NAME);
  // "start" is a no-op for a running flanneld, so unchanged hooks never interrupt the overlay.
  const action = changed || options.restart ? "restart" : "start";
  await systemctl(action, SERVICE_NAME).catch((error: unknown) => {
    throw new ServiceStartError(action, error);
  });
  return changed || options.restart === true;
}

/** Stops flanneld (it starts again at boot unless disabled). */
export async function stopService(unitPath: string = UNIT_PATH): Promise<void> {
  if ((await readFileIfExists(unitPath)) !== undefined) await systemctl("stop", SERVICE_NAME);
}

/** Stops flanneld and keeps it from starting at boot. */
export async function disableService(unitPath: string = UNIT_PATH): Promise<void> {
  if ((await readFileIfExists(unitPath)) !== undefined) await systemctl("disable", "--now", SERVICE_NAME);
}

/** Disables flanneld and removes its unit; returns whether the unit was there. */
export async function removeService(unitPath: string = UNIT_PATH): Promise<boolean> {
  await disableService(unitPath);
  const removed = await removeFile(unitPath);
  if (removed) await systemctl("daemon-reload");
  return removed;
}

/** Whether systemd reports flanneld active. */
export async function isServiceActive(): Promise<boolean> {
  const result = await execa("systemctl", ["is-active", "--quiet", SERVICE_NAME], {
    reject: false,
    timeout: SYSTEMCTL_TIMEOUT_MS,
  });
  return result.exitCode === 0;
}

/** Enables IPv4 forwarding now and at boot (flanneld never does); returns whether anything changed. */
export async function ensureIpForward(
  sysctlPath: string = SYSCTL_PATH,
  procPath: string = IP_FORWARD_PROC_PATH,
): Promise<boolean> {
  const persisted = await ensureFile(
    sysctlPath,
    "# Written by the flannel charm.\nnet.ipv4.ip_forward = 1\n",
  );
  if ((await readFile(procPath, "utf8")).trim() === "1") return persisted;
  await writeFile(procPath, "1\n");
  return true;
}

/** Deletes the flannel devices left after flanneld stopped; returns the ones removed. */
export async function removeFlannelDevice(): Promise<string[]> {
  const removed: string[] = [];
  for (const device of FLANNEL_DEVICES) {
    const result = await execa("ip", ["link", "delete", device], { reject: false });
    if (result.exitCode === 0) removed.push(device);
  }
  return removed;
}

/** Waits up to timeoutMs for flanneld's subnet.env; undefined if absent, else the strict parse (ok or problem). */
export async function waitForLease(
  timeoutMs: number,
  path: string = SUBNET_ENV_PATH,
): Promise<LeaseResult | undefined> {
  const deadline = Date.now() + timeoutMs;
  let last: LeaseResult | undefined;
  for (;;) {
    const text = await readFileIfExists(path);
    last = text === undefined ? undefined : parseSubnetEnv(text);
    if (last?.ok || Date.now() >= deadline) return last;
    await changeOrTimeout(path, Math.min(deadline - Date.now(), POLL_MS));
  }
}

// Polling backs up fs.watch, which misses events when the directory does not exist yet.
const POLL_MS = 200;

async function changeOrTimeout(path: string, ms: number): Promise<void> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), Math.max(ms, 0));
  try {
    for await (const event of watch(dirname(path), { signal: controller.signal })) {
      if (event.filename === basename(path)) return;
    }
  } catch {
    // Aborted by the timer, or the directory is missing (then sleep, so this never spins).
    if (!controller.signal.aborted)
      await new Promise((resolve) => controller.signal.addEventListener("abort", resolve));
  } finally {
    clearTimeout(timer);
  }
}

async function systemctl(...args: string[]): Promise<void> {
  await execa("systemctl", args, { timeout: SYSTEMCTL_TIMEOUT_MS });
}
