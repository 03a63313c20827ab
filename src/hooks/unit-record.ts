import type { ContainerType } from "../config/charm-config";
import { ensureFile, readFileIfExists } from "../fs/atomic";

/** Where hooks keep what they must remember between runs (never secrets: certs live in /etc/flannel). */
export const UNIT_RECORD_PATH = "/var/lib/flannel-charm/unit.json";

/** The fixed options of the network this unit joined; they may not change afterwards. */
export interface JoinedNetwork {
  network: string;
  subnetLen: number;
  backend: string;
  etcdPrefix: string;
}

/** What hooks remember between runs. */
export interface UnitRecord {
  joined?: JoinedNetwork;
  /** etcd endpoints last used, so the remove hook can free the lease after the relation is gone. */
  etcdEndpoints?: string[];
  etcdTls?: boolean;
  /**
   * A digest of the etcd endpoints, prefix and TLS credentials with which etcd last confirmed the network
   * config: while they stay the same and flanneld holds a lease, hooks need not ask etcd again.
   */
  networkConfirmed?: string;
  /** flanneld must restart (new binary, unit or TLS files); cleared only once a restart succeeded. */
  restartPending?: boolean;
  /** The address flanneld registers its lease with (PublicIP). */
  publicIp?: string;
  /** Size and mtime of the resource last installed, so unchanged resources are not re-read every hook. */
  resourceStamp?: string;
  flanneldVersion?: string;
  /** The last resource refused (its stamp and why), so it is not read again every hook. */
  rejectedResource?: { stamp: string; reason: string };
  /** The resource stamp of a new flanneld checked and staged for a rolling upgrade (see rolling-upgrade.ts). */
  upgradeWanted?: string;
  /** The fingerprint of a renewed etcd client certificate waiting for (or just given) a rolling turn (cert-switch.ts). */
  clientCertWanted?: string;
  /** The configured container-type, for ./health. */
  containerType?: ContainerType;
  /** The container bridge the charm configured, so switching container-type restores the old one. */
  bridge?: ContainerType;
}

/** The record exists but cannot be used; the hooks must not guess (the fixed-option guard lives in it). */
export class UnreadableRecordError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
    cause?: unknown,
  ) {
    super(`the unit record ${path} ${problem}`, { cause });
    this.name = "UnreadableRecordError";
  }
}

/** Reads the record; a missing one starts empty, an unreadable, empty or corrupt one throws. */
export async function loadUnitRecord(path = UNIT_RECORD_PATH): Promise<UnitRecord> {
  const text = await readFileIfExists(path).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UnreadableRecordError(path, `cannot be read (${code})`, error);
  });
  if (text === undefined) return {};
  if (text.trim() === "") throw new UnreadableRecordError(path, "is empty");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UnreadableRecordError(path, "is not valid JSON", error);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UnreadableRecordError(path, "does not hold a JSON object");
  }
  return parsed as UnitRecord;
}

export async function saveUnitRecord(record: UnitRecord, path = UNIT_RECORD_PATH): Promise<void> {
  await ensureFile(path, `${JSON.stringify(record, null, 2)}\n`);
}

/** Remembers at once, durably, that flanneld must restart: a hook stopped or killed before the restart leaves it to the next. */
export async function markRestartPending(record: UnitRecord, path = UNIT_RECORD_PATH): Promise<void> {
  if (record.restartPending) return;
  record.restartPending = true;
  await saveUnitRecord(record, path);
}
