import type { Lease } from "../../flannel/subnet-env";

/** Docker's daemon configuration file. */
export const DAEMON_JSON_PATH = "/etc/docker/daemon.json";

export interface DaemonJsonMerge {
  /** The new daemon.json text: 2-space JSON and a newline. */
  readonly content: string;
  /** Set when the existing text was not a JSON object: the caller must keep it aside before writing. */
  readonly invalidExisting?: true;
}

/**
 * Merges the lease into daemon.json, keeping every other key in place: `bip` and `mtu` put docker0 on the
 * lease, and `"ip-masq": false` stops docker NATing cross-host traffic (flanneld masquerades what leaves).
 * A file whose three keys are already right is left as it is, layout and all: rewriting it would restart
 * docker (and its containers) for nothing the charm needs.
 */
export function mergeDaemonJson(existingText: string | undefined, lease: Lease): DaemonJsonMerge {
  const existing = parseObject(existingText ?? "");
  const managed: Record<string, unknown> = { bip: lease.subnet, mtu: lease.mtu, "ip-masq": false };
  const settled = Object.entries(managed).every(([key, value]) => existing?.[key] === value);
  if (settled && existingText !== undefined) return { content: existingText };
  const merged = { ...(existing ?? {}), ...managed };
  const content = `${JSON.stringify(merged, null, 2)}\n`;
  return existing === undefined ? { content, invalidExisting: true } : { content };
}

/** The object in the text ({} for blank text), or undefined when it is not a JSON object. */
function parseObject(text: string): Record<string, unknown> | undefined {
  if (text.trim() === "") return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // not JSON: reported to the caller through invalidExisting
  }
  return undefined;
}

/** Explains what happened to an invalid daemon.json, for the unit's log. */
export function describeInvalidDaemonJson(path: string, keptAt: string): string {
  return `${path} was not a JSON object; kept it as ${keptAt} and wrote a new one with bip, mtu and ip-masq only: merge your settings from ${keptAt} back into ${path}`;
}

/** Says that a daemon.json the charm wrote before was found changed, for the unit's log. */
export function describeChangedDaemonJson(path: string): string {
  return `${path} differed from the flannel lease's settings: rewrote bip, mtu and ip-masq, kept the other keys, restarted docker`;
}

/**
 * The daemon.json to start docker with once so docker0 returns to its address from before the charm:
 * the original with that bip, or undefined when there is nothing to pin (the original sets a bip itself,
 * is not a JSON object, or docker0 had no address).
 */
export function pinBip(originalText: string | undefined, originalAddress: string | undefined) {
  if (originalAddress === undefined) return undefined;
  const original = parseObject(originalText ?? "");
  if (original === undefined || "bip" in original) return undefined;
  return `${JSON.stringify({ ...original, bip: originalAddress }, null, 2)}\n`;
}
