import type { EtcdAccess, UnitData } from "../etcd/relation-data";
import { parseEtcdRelation } from "../etcd/relation-data";
import { checkTlsMaterial } from "../etcd/tls-material";
import { bothEndpointsMessage, isEtcdClientRelation } from "../etcd-client/endpoints";
import { ETCD_CLIENT_RELATION } from "../etcd-client/protocol";
import { readEtcdClientUnits } from "../etcd-client/read-access";
import { relationGet, relationIds, relationList } from "../juju/relation";
import type { UnitRecord } from "./unit-record";
import { blocked, waiting } from "./unit-status";

export { bothEndpointsMessage, isEtcdClientRelation };

export const ETCD_RELATION = "etcd";
export const RELATE_HINT = "juju integrate flannel etcd";
export const RELATE_HINT_CHARMED = "juju integrate flannel charmed-etcd";

/**
 * The relations to etcd of this unit, on both endpoints (classic `etcd` first); a hook reads them once,
 * since they cannot change within it.
 */
export async function etcdRelationIds(brokenRelationId?: string): Promise<string[]> {
  const [classic, client] = await Promise.all([
    relationIds(ETCD_RELATION),
    relationIds(ETCD_CLIENT_RELATION),
  ]);
  // In a -broken hook Juju may still list the relation that is going away.
  return [...classic, ...client].filter((id) => id !== brokenRelationId);
}

/** How the etcd-client relation is read: the request to find and which secret revisions to take. */
export interface ClientReadOptions {
  readonly request?: Parameters<typeof readEtcdClientUnits>[1];
}

/** etcd's endpoints and TLS credentials from every unit on the etcd relations, validated. */
export async function readEtcdAccess(
  record: UnitRecord,
  ids: readonly string[],
  options: ClientReadOptions = {},
): Promise<EtcdAccess> {
  if (ids.length === 0) blocked(`needs an etcd relation: run '${RELATE_HINT}' or '${RELATE_HINT_CHARMED}'`);
  const both = bothEndpointsMessage(ids);
  if (both) blocked(both);
  const units = ids.some(isEtcdClientRelation)
    ? await readClientUnits(ids, options)
    : await readRelatedUnits(ids);
  if (units.length === 0) waiting("waiting for etcd units to join the relation");
  const result = parseEtcdRelation(units, { checkTlsMaterial });
  if (!result.ok) {
    const { kind, message } = result.problem;
    if (kind === "incomplete") waiting(`waiting for etcd relation data: ${message}`);
    blocked(`etcd relation data is invalid: ${message}`);
  }
  record.etcdEndpoints = [...result.access.endpoints];
  record.etcdTls = result.access.tls !== undefined;
  return result.access;
}

async function readClientUnits(ids: readonly string[], options: ClientReadOptions): Promise<UnitData[]> {
  const [id, ...more] = ids;
  if (id === undefined) return [];
  if (more.length > 0) blocked("related to more than one etcd-client application: remove all but one");
  const read = await readEtcdClientUnits(id, options.request, "refresh");
  if (read.ok) return read.value;
  if (read.kind === "incomplete") waiting(`waiting for etcd-client: ${read.message}`);
  return blocked(`etcd-client relation data is invalid: ${read.message}`);
}

async function readRelatedUnits(ids: readonly string[]): Promise<UnitData[]> {
  const units: UnitData[] = [];
  for (const id of ids) {
    for (const unit of await relationList(id)) {
      units.push({ unit, data: await relationGet(id, unit) });
    }
  }
  return units;
}
