import { sameAccess } from "../etcd/relation-data";
import { readTlsFiles } from "../etcd/tls-files";
import { readLease, SUBNET_ENV_PATH } from "../flannel/subnet-env";
import type { JujuContext } from "../juju/context";
import { safeStatusMessage, statusGet } from "../juju/status";
import { observeHook } from "../machine/hook-observe";
import { planHook } from "../machine/hook-plan";
import { traced, traceNote } from "../trace/spans";
import { bothEndpointsMessage, etcdRelationIds } from "./etcd-access";
import { judgeLeaseRead, type LeaseRead, leaseKeyOf, readLeaseKeys } from "./etcd-light-check";
import { stateOf, writeHealthState } from "./health-state";
import { readPeerSide, syncPeers } from "./peers";
import { loadUnitRecord, type UnitRecord } from "./unit-record";

/** Hooks whose only job is to bring the machine up to date with config, relation data and resource. */
const FAST_HOOKS = new Set([
  "update-status",
  "config-changed",
  "start",
  "leader-elected",
  "leader-settings-changed",
  "etcd-relation-joined",
  "etcd-relation-changed",
  "etcd-relation-departed",
  "etcd-client-relation-joined",
  "etcd-client-relation-changed",
  "etcd-client-relation-departed",
]);

/**
 * The hooks that also ask etcd whether it still holds the network config and this unit's lease.
 * etcd losing its data (restored empty or from an old snapshot) changes nothing a hook can see on the
 * machine: flanneld keeps its lease in memory. update-status is the hook Juju runs periodically whatever
 * else happens, so it is the one that must find out; a hook about the etcd relation asks too, since etcd
 * itself may be what changed. Other hooks whose inputs and world are unchanged (a config-changed that
 * changed nothing of this charm's, start, leader-*) make no etcd connection.
 */
const ETCD_CHECK_HOOKS = new Set([
  "update-status",
  "etcd-relation-joined",
  "etcd-relation-changed",
  "etcd-relation-departed",
  "etcd-client-relation-joined",
  "etcd-client-relation-changed",
  "etcd-client-relation-departed",
]);

/**
 * Finishes a hook without the full reconcile when its plan is empty: every input the reconcile reads is
 * read again and every step planned from what is observed now (machine/hook-plan.ts, the plans the
 * reconcile applies), nothing taken from a record of an earlier hook. Returns false, having changed
 * nothing, when any step has something to do: the full reconcile then runs.
 */
export async function tryFastPath(context: JujuContext): Promise<boolean> {
  if (!FAST_HOOKS.has(context.hookName)) return false;
  const record = await loadUnitRecord().catch(() => undefined);
  if (record === undefined) return false;
  // The etcd read starts at once, beside the other looks, from what the record and the files say; it
  // counts only if the plan then proves that it asked the etcd, prefix, credentials and lease it should.
  const early = ETCD_CHECK_HOOKS.has(context.hookName)
    ? readEtcdEarly(record).catch(() => undefined)
    : undefined;
  // Every read starts now, side by side: the hook waits on its tools' answers far more than it computes.
  // The etcd relations first, as more reads wait on them. The peer side is read whatever the plan says,
  // and awaited only once the plan is empty.
  const etcdRelations = etcdRelationIds();
  const peerSide = readPeerSide(context);
  peerSide.catch(() => undefined);
  const [ids, picture, shown] = await Promise.all([
    etcdRelations,
    observeHook(record, etcdRelations),
    statusGet(),
  ]);
  if (ids.length === 0) return refuse("no etcd relation");
  if (bothEndpointsMessage(ids)) return refuse("related on both etcd endpoints");
  const plan = planHook(picture);
  const { status, lease, access } = plan;
  if (plan.actions.length > 0 || !status || !lease || !access)
    return refuse(plan.actions[0]?.why ?? "no lease");
  // Only a unit Juju already shows ready is confirmed here: any other status (blocked because etcd refused
  // the charm, waiting for a restart) is the full reconcile's to change, so a no-op hook never flips it.
  if (shown.state !== status.state || shown.message !== safeStatusMessage(status.message))
    return refuse("the unit's status is not the ready one");
  if (early !== undefined) {
    const prefix = record.joined?.etcdPrefix ?? "";
    const key = leaseKeyOf(lease);
    const asked = await early;
    const proven =
      asked !== undefined && asked.prefix === prefix && asked.key === key && sameAccess(asked.access, access);
    const read = proven ? asked : await traced("etcd", () => readLeaseKeys(access, prefix, key));
    const lost = judgeLeaseRead(read.answer, record.publicIp);
    if (lost !== undefined) return refuse(lost);
  }
  traceNote("fast-path", "nothing to change");
  await writeHealthState(record, status, true);
  // The fast path has looked at all that ./health looks at; the state is what writeHealthState just wrote.
  const observation = { state: stateOf(record, status, true), facts: picture.machine };
  await syncPeers(context, record, status, { observation, config: picture.config, peerSide });
  return true;
}

async function readEtcdEarly(record: UnitRecord): Promise<LeaseRead | undefined> {
  const { joined, etcdEndpoints, etcdTls } = record;
  const [lease, tls] = await Promise.all([readLease(SUBNET_ENV_PATH), etcdTls ? readTlsFiles() : undefined]);
  if (!lease?.ok || joined === undefined || !etcdEndpoints?.length || (etcdTls && tls === undefined))
    return undefined;
  const access = tls ? { endpoints: etcdEndpoints, tls } : { endpoints: etcdEndpoints };
  return traced("etcd", () => readLeaseKeys(access, joined.etcdPrefix, leaseKeyOf(lease.lease)));
}

function refuse(drift: string): false {
  traceNote("full-reconcile", drift);
  return false;
}
