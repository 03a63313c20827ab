import type { JujuContext } from "../juju/context";
import { writeCharmState } from "../state/charm-state";
import { hasEtcdRelation } from "./etcd-access";
import type { UnitRecord } from "./unit-record";
import type { UnitStatus } from "./unit-status";

/** Leaves ./health what it cannot observe itself: the container type, the relation, the hook's verdict. */
export async function writeHealthState(context: JujuContext, record: UnitRecord, status: UnitStatus) {
  const brokenRelationId = context.hookName === "etcd-relation-broken" ? context.relationId : undefined;
  await writeCharmState({
    containerType: record.containerType ?? "lxc",
    etcdRelated: await hasEtcdRelation(brokenRelationId),
    blocked: status.state === "blocked" ? status.message : undefined,
    waiting: status.state === "waiting" ? status.message : undefined,
  });
}
