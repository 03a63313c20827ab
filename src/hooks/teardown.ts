import { deleteOwnLease, EtcdUnavailable } from "../etcd/client";
import { readTlsFiles, removeTlsFiles } from "../etcd/tls-files";
import { removeFlanneld } from "../flannel/binary";
import { disableService, removeFlannelDevice, removeService } from "../flannel/service";
import { jujuLog } from "../juju/status";
import { traced } from "../trace/spans";
import { restoreBridge } from "./bridge";
import type { UnitRecord } from "./unit-record";

/** Stops flanneld and keeps it from starting at boot; its etcd lease stays valid for a restart. */
export async function stopFlanneld() {
  await disableService();
}

/**
 * Undoes everything the charm did on this machine: frees the lease in etcd at once (instead of after
 * its 24 h TTL), removes flanneld, its unit and certs, and gives the bridges their original files back.
 */
export async function removeEverything(record: UnitRecord) {
  await disableService();
  await freeLease(record);
  await removeService();
  await removeTlsFiles();
  if (record.resourceStamp) await removeFlanneld();
  if (record.bridge) await restoreBridge(record.bridge);
  await removeFlannelDevice();
}

async function freeLease(record: UnitRecord) {
  const { joined, publicIp } = record;
  if (!record.etcdEndpoints?.length || !publicIp || !joined) return;
  const access = { endpoints: record.etcdEndpoints, tls: record.etcdTls ? await readTlsFiles() : undefined };
  try {
    const deleted = await traced("etcd", () => deleteOwnLease(access, joined.etcdPrefix, publicIp));
    await jujuLog("INFO", `freed lease ${deleted.join(", ") || "(none held)"}`);
  } catch (error) {
    if (!(error instanceof EtcdUnavailable)) throw error;
    // Removal must finish even with etcd gone; the lease then expires by its TTL.
    await jujuLog("WARNING", `could not free the lease, etcd is unreachable: ${error.message}`);
  }
}
