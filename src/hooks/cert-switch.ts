// A renewed client certificate reaches flanneld one unit at a time, through the rolling restart turn.
//
// Order: the leader renews (a new revision of its application secret and of the mtls-cert secret at once);
// Charmed etcd, on secret-changed, replaces the trusted certificate with the new one (it keeps only the
// relation's current mtls-cert, no grace for the old) and restarts its members one at a time. A unit
// switches only in its turn and only once etcd answers a read made with the new certificate, so its
// flanneld never restarts into credentials etcd refuses. A unit still on the old certificate meanwhile
// keeps its running flanneld, its lease (24 h TTL) and its routes, and stays ready; what it loses from
// etcd's restart on is etcd itself (lease renewal, other units' new leases) until its turn comes round,
// one flanneld restart per unit ahead of it.
import { certFingerprint } from "../etcd/cert-fingerprint";
import { readKeysLightly } from "../etcd/light-read";
import type { EtcdAccess } from "../etcd/relation-data";
import { certificateInUse, readTlsFiles } from "../etcd/tls-files";
import { isServiceActive } from "../flannel/service";
import { jujuLog } from "../juju/status";
import { keepRunningCredentials, planCredentialsChange, wantedCertificate } from "../machine/cert-switch";
import { peerRelationId, readPeers } from "../peers/peer-relation";
import { traced } from "../trace/spans";
import { takeRestartTurn } from "./restart-turn";
import type { UnitRecord } from "./unit-record";

/**
 * The etcd access this hook brings flanneld to: the relation's, or, while a renewed client certificate
 * waits for this unit's turn, the one the running flanneld uses (its files and flanneld stay as they are).
 */
export async function credentialsForNow(
  access: EtcdAccess,
  record: UnitRecord,
  prefix: string,
): Promise<EtcdAccess> {
  const [files, running] = await Promise.all([readTlsFiles(), isServiceActive()]);
  const change = planCredentialsChange(files, access.tls, running);
  const inUse = files === undefined ? undefined : certFingerprint(files.cert);
  const wanted = wantedCertificate(change, record.clientCertWanted, inUse);
  if (wanted === undefined) delete record.clientCertWanted;
  else record.clientCertWanted = wanted;
  if (change.kind !== "rolled" || files === undefined) return access;
  if (await maySwitchNow(access, change.wanted, prefix)) {
    await jujuLog("INFO", `switching flanneld to the renewed etcd client certificate ${change.wanted}`);
    return access;
  }
  return keepRunningCredentials(access, files);
}

/** Whether a renewed certificate waits here for this unit's turn (or for etcd to trust it). */
export async function isCertSwitchStaged(record: UnitRecord): Promise<boolean> {
  if (record.clientCertWanted === undefined) return false;
  return record.clientCertWanted !== (await certificateInUse());
}

// A lone unit needs no turn; every unit needs etcd to accept the new certificate before flanneld uses it.
async function maySwitchNow(access: EtcdAccess, wanted: string, prefix: string): Promise<boolean> {
  const relationId = await peerRelationId();
  const peers = relationId === undefined ? [] : await readPeers(relationId);
  if (relationId !== undefined && peers.length > 0) {
    if (!(await takeRestartTurn(relationId, peers, { clientCertWanted: wanted }))) return false;
  }
  const read = await traced("etcd", () => readKeysLightly(access, [`${prefix}/config`]));
  // A TLS handshake etcd refuses ends the session: "unavailable", as when it does not trust the certificate
  // yet. An answer that is an error (e.g. permission denied) goes on: the full client then says what to fix.
  if (read.kind !== "unavailable") return true;
  await jujuLog(
    "INFO",
    `etcd does not accept the renewed client certificate yet (${firstLine(read.reason)}); keeping the old one`,
  );
  return false;
}

// OpenSSL's reasons end in a newline and sometimes run on; the log keeps one line.
function firstLine(text: string): string {
  return text.trim().split("\n")[0] ?? "";
}
