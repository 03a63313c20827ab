import type { JujuContext } from "../juju/context";
import { statusSet } from "../juju/status";
import { hasEtcdRelation, RELATE_HINT } from "./etcd-access";
import { writeHealthState } from "./health-state";
import { reconcile } from "./reconcile";
import { removeEverything, stopFlanneld } from "./teardown";
import { loadUnitRecord, saveUnitRecord, type UnitRecord } from "./unit-record";
import { StatusStop, type UnitStatus } from "./unit-status";

type Handler = (context: JujuContext, record: UnitRecord) => Promise<UnitStatus | undefined>;

const HANDLERS: Record<string, Handler> = {
  install: async (_context, record) => {
    await statusSet("maintenance", "installing flanneld");
    return reconcile(record);
  },
  stop: async () => {
    await stopFlanneld();
    return { state: "maintenance", message: "flanneld stopped" };
  },
  remove: async (_context, record) => {
    await removeEverything(record);
    return undefined;
  },
  "etcd-relation-broken": async (context, record) => {
    if (await hasEtcdRelation(context.relationId)) return reconcile(record, context.relationId);
    await stopFlanneld();
    return { state: "blocked", message: `etcd relation removed: run '${RELATE_HINT}'` };
  },
};

/** Runs one hook: its handler, or reconcile for every hook that only needs the machine brought up to date. */
export async function runHook(context: JujuContext) {
  const record = await loadUnitRecord();
  const handler = HANDLERS[context.hookName] ?? ((_, unitRecord) => reconcile(unitRecord));
  const status = await handler(context, record).catch(statusOfStop);
  if (context.hookName === "remove") return;
  await saveUnitRecord(record);
  if (status) {
    await statusSet(status.state, status.message);
    await writeHealthState(context, record, status);
  }
}

function statusOfStop(error: unknown): UnitStatus {
  if (error instanceof StatusStop) return error.status;
  throw error;
}
