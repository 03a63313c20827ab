import { type EtcdAccess, parseEtcdRelation, type UnitData } from "../etcd/relation-data";
import { checkTlsMaterial } from "../etcd/tls-material";
import { relationGet, relationIds, relationList } from "../juju/relation";
import type { UnitRecord } from "./unit-record";
import { blocked, waiting } from "./unit-status";

export const ETCD_RELATION = "etcd";
export const RELATE_HINT = "juju integrate flannel etcd";

/** The etcd relations of this unit; a hook reads them once, since they cannot change within it. */
export async function etcdRelationIds(brokenRelationId?: string): Promise<string[]> {
  // In a -broken hook Juju may still list the relation that is going away.
  return (await relationIds(ETCD_RELATION)).filter((id) => id !== brokenRelationId);
}

/** etcd's endpoints and TLS credentials from every unit on the etcd relations, validated. */
export async function readEtcdAccess(record: UnitRecord, ids: readonly string[]): Promise<EtcdAccess> {
  if (ids.length === 0) blocked(`needs an etcd relation: run '${RELATE_HINT}'`);
  const units = await readRelatedUnits(ids);
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

async function readRelatedUnits(ids: readonly string[]): Promise<UnitData[]> {
  const units: UnitData[] = [];
  for (const id of ids) {
    for (const unit of await relationList(id)) {
      units.push({ unit, data: await relationGet(id, unit) });
    }
  }
  return units;
}
