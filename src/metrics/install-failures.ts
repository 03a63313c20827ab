// Failed installs of node-exporter, kept between hooks: on a machine with no apt mirror the plan would
// otherwise run apt-get in every hook. The plan (machine/metrics-plan.ts) reads them as a fact.
import { readFileIfExists, removeFile, writeFileAtomic } from "../fs/atomic";

export const INSTALL_FAILURES_PATH = "/var/lib/flannel-charm/node-exporter-install.json";

/** Failed installs in a row, and the last one: when it ended (ms since the epoch) and why. */
export interface InstallFailures {
  readonly count: number;
  readonly lastAt: number;
  readonly error: string;
}

/** The failures recorded; undefined when none are (or the file is not ours: the install is then tried). */
export async function readInstallFailures(
  path = INSTALL_FAILURES_PATH,
): Promise<InstallFailures | undefined> {
  const text = await readFileIfExists(path);
  return text === undefined ? undefined : parseInstallFailures(text);
}

/** Records the failures atomically, so a hook killed meanwhile leaves the old record or the new one. */
export async function writeInstallFailures(
  failures: InstallFailures,
  path = INSTALL_FAILURES_PATH,
): Promise<void> {
  await writeFileAtomic(path, renderInstallFailures(failures));
}

/** Forgets the failures once the package is installed; returns whether there were any. */
export function clearInstallFailures(path = INSTALL_FAILURES_PATH): Promise<boolean> {
  return removeFile(path);
}

/** 2-space JSON in a fixed key order, the time also readable by the operator. */
export function renderInstallFailures({ count, lastAt, error }: InstallFailures): string {
  return `${JSON.stringify({ count, lastAt: new Date(lastAt).toISOString(), error }, null, 2)}\n`;
}

/** Parses the record, or undefined when it is not JSON of the right shape. */
export function parseInstallFailures(text: string): InstallFailures | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const { count, lastAt, error } = (value ?? {}) as Record<string, unknown>;
  const at = typeof lastAt === "string" ? Date.parse(lastAt) : Number.NaN;
  if (!Number.isInteger(count) || (count as number) < 1 || Number.isNaN(at) || typeof error !== "string")
    return undefined;
  return { count: count as number, lastAt: at, error };
}
