import { readFile, watch, writeFile } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { execProgram, loadExeca } from "../bridges/programs";
import { ensureFile, readFileIfExists, removeFile, writeFileAtomic } from "../fs/atomic";
import { traced } from "../trace/spans";
import { isWrittenSince, type LeaseResult, readLease, SUBNET_ENV_PATH } from "./subnet-env";

export const SERVICE_NAME = "flannel.service";
export const UNIT_PATH = "/etc/systemd/system/flannel.service";
export const SYSCTL_PATH = "/etc/sysctl.d/60-flannel.conf";
/** What the charm keeps in SYSCTL_PATH. */
export const IP_FORWARD_SYSCTL = "# Written by the flannel charm.\nnet.ipv4.ip_forward = 1\n";
export const IP_FORWARD_PROC_PATH = "/proc/sys/net/ipv4/ip_forward";
/** ip_forward's value from before the charm first set it, put back on remove. */
export const IP_FORWARD_BEFORE_PATH = "/var/lib/flannel-charm/ip_forward.before";
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

/**
 * Writes the unit, reloads systemd if it changed or a restart is asked for (an earlier reload may have
 * timed out), enables it and (re)starts flanneld only then.
 */
export async function ensureService(
  unitText: string,
  options: { restart?: boolean; unitPath?: string } = {},
): Promise<boolean> {
  const changed = await ensureFile(options.unitPath ?? UNIT_PATH, unitText);
  if (changed || options.restart) await systemctl("daemon-reload");
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
  const execa = await loadExeca();
  const result = await traced("systemctl", () =>
    execa("systemctl", ["is-active", "--quiet", SERVICE_NAME], {
      reject: false,
      timeout: SYSTEMCTL_TIMEOUT_MS,
    }),
  );
  return result.exitCode === 0;
}

/**
 * Enables IPv4 forwarding now and at boot (flanneld never does), remembering the value it had before the
 * charm first touched it; returns whether anything changed.
 */
export async function ensureIpForward(
  sysctlPath: string = SYSCTL_PATH,
  procPath: string = IP_FORWARD_PROC_PATH,
  beforePath: string = IP_FORWARD_BEFORE_PATH,
): Promise<boolean> {
  if ((await readFileIfExists(beforePath)) === undefined) {
    await writeFileAtomic(beforePath, `${(await readFile(procPath, "utf8")).trim()}\n`);
  }
  const persisted = await ensureFile(sysctlPath, IP_FORWARD_SYSCTL);
  if ((await readFile(procPath, "utf8")).trim() === "1") return persisted;
  await writeFile(procPath, "1\n");
  return true;
}

/**
 * Removes the charm's sysctl file and gives ip_forward the value it had before the charm (if known);
 * returns whether anything changed.
 */
export async function restoreIpForward(
  sysctlPath: string = SYSCTL_PATH,
  procPath: string = IP_FORWARD_PROC_PATH,
  beforePath: string = IP_FORWARD_BEFORE_PATH,
): Promise<boolean> {
  const removed = await removeFile(sysctlPath);
  const before = (await readFileIfExists(beforePath))?.trim();
  if (before !== "0" && before !== "1") return removed;
  if ((await readFile(procPath, "utf8")).trim() !== before) await writeFile(procPath, `${before}\n`);
  await removeFile(beforePath);
  return true;
}

/** Deletes the flannel devices left after flanneld stopped; returns the ones removed. */
export async function removeFlannelDevice(): Promise<string[]> {
  const removed: string[] = [];
  const execa = await loadExeca();
  for (const device of FLANNEL_DEVICES) {
    const result = await execa("ip", ["link", "delete", device], {
      reject: false,
      timeout: SYSTEMCTL_TIMEOUT_MS,
    });
    if (result.exitCode === 0) removed.push(device);
  }
  return removed;
}

/** When flanneld's current process started, as systemd reports it (CLOCK_MONOTONIC µs); undefined when not active. */
export async function flanneldStartedAt(): Promise<number | undefined> {
  const execa = await loadExeca();
  const result = await execa(
    "systemctl",
    ["show", "-p", "ActiveState", "-p", "ExecMainStartTimestampMonotonic", SERVICE_NAME],
    { reject: false, timeout: SYSTEMCTL_TIMEOUT_MS },
  );
  const value = (key: string) => new RegExp(`^${key}=(.*)$`, "m").exec(String(result.stdout))?.[1];
  const startedUs = Number(value("ExecMainStartTimestampMonotonic"));
  if (result.exitCode !== 0 || value("ActiveState") !== "active" || !(startedUs > 0)) return undefined;
  return startedUs;
}

/** How long a running flanneld may be without subnet.env before the file counts as lost, not yet written. */
export const LEASE_FILE_GRACE_US = 20_000_000;

/**
 * Whether subnet.env was deleted under a running flanneld (say `rm -rf /run/flannel`): flanneld writes it
 * only when it gets its lease, so only a restart brings it back (the lease in etcd keeps the subnet).
 */
export async function hasLostLeaseFile(
  path: string = SUBNET_ENV_PATH,
  startedAt: StartedAt = flanneldStartedAt,
  nowUs: () => number = () => Number(process.hrtime.bigint() / 1000n),
): Promise<boolean> {
  const started = await startedAt();
  if (started === undefined || nowUs() - started < LEASE_FILE_GRACE_US) return false;
  return (await readLease(path)) === undefined;
}

/** Tells when flanneld's current process started (CLOCK_MONOTONIC µs), or undefined if none runs. */
export type StartedAt = () => Promise<number | undefined>;

/**
 * The lease the running flanneld holds: subnet.env written since its process started. undefined when
 * flanneld is not active or has not written one yet, since a file left by an earlier run proves nothing.
 */
export async function readHeldLease(
  path: string = SUBNET_ENV_PATH,
  startedAt: StartedAt = flanneldStartedAt,
): Promise<LeaseResult | undefined> {
  const started = await startedAt();
  if (started === undefined || !(await isWrittenSince(path, started))) return undefined;
  return readLease(path);
}

/**
 * Waits up to timeoutMs for flanneld's subnet.env (with startedAt: one written by the running flanneld);
 * undefined if there is none, else the strict parse (ok or problem).
 */
export async function waitForLease(
  timeoutMs: number,
  path: string = SUBNET_ENV_PATH,
  startedAt?: StartedAt,
): Promise<LeaseResult | undefined> {
  return traced("lease-wait", () => pollLease(timeoutMs, path, startedAt));
}

async function pollLease(
  timeoutMs: number,
  path: string,
  startedAt: StartedAt | undefined,
): Promise<LeaseResult | undefined> {
  const deadline = Date.now() + timeoutMs;
  let last: LeaseResult | undefined;
  for (;;) {
    last = startedAt ? await readHeldLease(path, startedAt) : await readLease(path);
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
  await traced("systemctl", () => execProgram("systemctl", args, { timeoutMs: SYSTEMCTL_TIMEOUT_MS }));
}
