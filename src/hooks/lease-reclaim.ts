import { deleteOwnLease, EtcdUnavailable } from "../etcd/client";
import { readTlsFiles } from "../etcd/tls-files";
import { jujuLog } from "../juju/status";
import { configGet } from "../juju/unit";
import {
  describeLeaseBook,
  type LeaseBook,
  type LiveUnit,
  markReclaimed,
  parseLeaseBook,
  renderLeaseBook,
  updateLeaseBook,
} from "../peers/lease-book";
import type { UnitRecord } from "./unit-record";

const DEFAULT_GRACE_S = 900;

/**
 * On the leader: records the live units' addresses, and deletes the leases of units that vanished
 * without their remove hook once their grace period is over. Returns the application-bag settings to
 * write and notes for the application status.
 */
export async function reclaimStaleLeases(
  appData: Record<string, string>,
  live: readonly LiveUnit[],
  record: UnitRecord,
  config?: Record<string, unknown>,
): Promise<{ settings: Record<string, string>; notes: string[] }> {
  const now = Date.now();
  const graceMs = graceSOf(config ?? (await configGet())) * 1000;
  let { book, due } = updateLeaseBook(parseLeaseBook(appData), live, now, graceMs);
  for (const { unit, ip } of due) book = await reclaim(book, unit, ip, record, now);
  return { settings: renderLeaseBook(book), notes: describeLeaseBook(book, now) };
}

async function reclaim(book: LeaseBook, unit: string, ip: string, record: UnitRecord, now: number) {
  if (!record.etcdEndpoints?.length || !record.joined) return book;
  const access = { endpoints: record.etcdEndpoints, tls: record.etcdTls ? await readTlsFiles() : undefined };
  try {
    const keys = await deleteOwnLease(access, record.joined.etcdPrefix, ip);
    const subnets = keys.map((key) => key.slice(key.lastIndexOf("/") + 1));
    await jujuLog(
      "INFO",
      `reclaimed the lease of ${unit} (PublicIP ${ip}), gone without its remove hook: ${subnets.join(", ") || "none held"}`,
    );
    return markReclaimed(book, unit, subnets, now);
  } catch (error) {
    if (!(error instanceof EtcdUnavailable)) throw error;
    await jujuLog("WARNING", `could not reclaim the lease of ${unit} yet: ${error.message}`);
    return book;
  }
}

function graceSOf(config: Record<string, unknown>): number {
  const value = config["lease-reclaim-grace"];
  return typeof value === "number" && value >= 0 ? value : DEFAULT_GRACE_S;
}
