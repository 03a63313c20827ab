import { removeTlsFiles } from "../etcd/tls-files";
import { disableService } from "../flannel/service";
import type { UnitRecord } from "../hooks/unit-record";
import { isNotFound, secretRemove } from "../juju/secret";
import { jujuLog } from "../juju/status";

/**
 * The etcd-client relation is gone: flanneld stops (its certificate no longer opens etcd) and the key,
 * certificate and CA leave the disk. The application's identity secret stays for a later relation.
 */
export async function forgetEtcdClient(record: UnitRecord): Promise<void> {
  await disableService();
  if (await removeTlsFiles()) await jujuLog("INFO", "removed the etcd-client key material from /etc/flannel");
  record.etcdEndpoints = [];
  record.etcdTls = false;
  // A renewal this unit waited for is moot: left recorded, the peers would keep it pending for good.
  delete record.clientCertWanted;
}

/** secret-remove: drops the revision Juju names (JUJU_SECRET_ID, JUJU_SECRET_REVISION) of a secret we own. */
export async function removeObsoleteRevision(env: NodeJS.ProcessEnv): Promise<void> {
  const uri = env.JUJU_SECRET_ID;
  const revision = Number(env.JUJU_SECRET_REVISION);
  if (!uri || !Number.isInteger(revision) || revision <= 0) return;
  try {
    await secretRemove(uri, revision);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
