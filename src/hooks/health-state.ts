import { asBackend } from "../config/choices";
import { type CharmState, writeCharmState } from "../state/charm-state";
import type { UnitRecord } from "./unit-record";
import type { UnitStatus } from "./unit-status";

/** What ./health cannot observe itself: the container type and backend, the relation, the hook's verdict. */
export function stateOf(record: UnitRecord, status: UnitStatus, etcdRelated: boolean): CharmState {
  return {
    containerType: record.containerType ?? "lxc",
    backend: record.joined === undefined ? undefined : asBackend(record.joined.backend),
    etcdRelated,
    blocked: status.state === "blocked" ? status.message : undefined,
    waiting: status.state === "waiting" ? status.message : undefined,
  };
}

/** Leaves ./health what it cannot observe itself (see stateOf). */
export async function writeHealthState(record: UnitRecord, status: UnitStatus, etcdRelated: boolean) {
  await writeCharmState(stateOf(record, status, etcdRelated));
}
