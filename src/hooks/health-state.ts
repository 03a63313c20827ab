import { writeCharmState } from "../state/charm-state";
import type { UnitRecord } from "./unit-record";
import type { UnitStatus } from "./unit-status";

/** Leaves ./health what it cannot observe itself: the container type, the relation, the hook's verdict. */
export async function writeHealthState(record: UnitRecord, status: UnitStatus, etcdRelated: boolean) {
  await writeCharmState({
    containerType: record.containerType ?? "lxc",
    etcdRelated,
    blocked: status.state === "blocked" ? status.message : undefined,
    waiting: status.state === "waiting" ? status.message : undefined,
  });
}
