import { deleteOwnLease } from "../etcd/client";
import type { EtcdTls } from "../etcd/relation-data";
import { readTlsFiles, removeTlsFiles } from "../etcd/tls-files";
import { removeFlanneld } from "../flannel/binary";
import { disableService, removeFlannelDevice, removeService, restoreIpForward } from "../flannel/service";
import { removeFile } from "../fs/atomic";
import { jujuLog } from "../juju/status";
import { CHARM_STATE_PATH } from "../state/charm-state";
import { traced } from "../trace/spans";
import { restoreBridge } from "./bridge";
import { removeMetricsTimer } from "./metrics-timer";
import { removeStartupSnapshots } from "./startup-snapshot";
import { UNIT_RECORD_PATH, type UnitRecord } from "./unit-record";

/** Stops flanneld and keeps it from starting at boot; its etcd lease stays valid for a restart. */
export async function stopFlanneld() {
  await disableService();
}

/**
 * Undoes everything the charm did on this machine: deletes the etcd credentials first, frees the lease
 * in etcd at once (instead of after its 24 h TTL), removes flanneld and its unit, gives the bridges their
 * original files back and ip_forward its value from before the charm. Every step is tried: one that
 * fails is logged and the others still run, since Juju removes the unit whatever this hook does.
 */
export async function removeEverything(record: UnitRecord) {
  const tls = record.etcdTls
    ? await bestEffort("read the etcd credentials", () => readTlsFiles())
    : undefined;
  await bestEffort("remove the etcd credentials", () => removeTlsFiles());
  await bestEffort("remove the metrics timer", () => removeMetricsTimer());
  await bestEffort("remove the start-up snapshots", () => removeStartupSnapshots());
  await bestEffort("stop flanneld", () => disableService());
  await bestEffort("free the lease in etcd (it expires by its TTL)", () => freeLease(record, tls));
  await bestEffort("remove flanneld's unit", () => removeService());
  if (record.resourceStamp) await bestEffort("remove flanneld", () => removeFlanneld());
  const bridge = record.bridge;
  if (bridge) await bestEffort(`restore the ${bridge} bridge`, () => restoreBridge(bridge));
  await bestEffort("remove the flannel device", () => removeFlannelDevice());
  await bestEffort("restore ip_forward", () => restoreIpForward());
  for (const path of [UNIT_RECORD_PATH, CHARM_STATE_PATH]) {
    await bestEffort(`remove ${path}`, () => removeFile(path));
  }
}

async function freeLease(record: UnitRecord, tls: EtcdTls | undefined) {
  if (!record.etcdEndpoints?.length || !record.publicIp || !record.joined) return;
  const access = { endpoints: record.etcdEndpoints, tls };
  const { joined, publicIp } = record;
  const deleted = await traced("etcd", () => deleteOwnLease(access, joined.etcdPrefix, publicIp));
  await jujuLog("INFO", `freed lease ${deleted.join(", ") || "(none held)"}`);
}

async function bestEffort<T>(what: string, step: () => Promise<T>): Promise<T | undefined> {
  try {
    return await step();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await jujuLog("WARNING", `remove: could not ${what}: ${message}`).catch(() => undefined);
    return undefined;
  }
}
