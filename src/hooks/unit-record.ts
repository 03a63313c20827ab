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
  /** The address flanneld registers its lease with (PublicIP). */
  publicIp?: string;
  /** Size and mtime of the resource last installed, so unchanged resources are not re-read every hook. */
  resourceStamp?: string;
  flanneldVersion?: string;
  /** The resource stamp of a new flanneld checked and staged for a rolling upgrade (see rolling-upgrade.ts). */
  upgradeWanted?: string;
  /** The configured container-type, for ./health. */
  containerType?: ContainerType;
  /** The container bridge the charm configured, so switching container-type restores the old one. */
  bridge?: ContainerType;
}

/** Reads the record; a missing or unreadable one starts empty (the hooks rebuild it). */
export async function loadUnitRecord(path = UNIT_RECORD_PATH): Promise<UnitRecord> {
  const text = await readFileIfExists(path);
  if (text === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null ? (parsed as UnitRecord) : {};
  } catch {
    return {};
  }
}

export async function saveUnitRecord(record: UnitRecord, path = UNIT_RECORD_PATH): Promise<void> {
  await ensureFile(path, `${JSON.stringify(record, null, 2)}\n`);
}
