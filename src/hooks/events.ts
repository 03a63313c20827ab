import type { JujuContext } from "../juju/context";
import { statusSet } from "../juju/status";
import { etcdRelationIds, RELATE_HINT } from "./etcd-access";
import { writeHealthState } from "./health-state";
import { syncPeers } from "./peers";
import { reconcile } from "./reconcile";
import { isUpgradeStaged } from "./rolling-upgrade";
import { removeEverything, stopFlanneld } from "./teardown";
import { loadUnitRecord, saveUnitRecord, type UnitRecord } from "./unit-record";
import { StatusStop, type UnitStatus } from "./unit-status";

type Handler = (record: UnitRecord, etcdRelations: readonly string[]) => Promise<UnitStatus | undefined>;

// Peers coming, going or publishing change nothing on this machine, unless they bring this unit's turn to
// install a staged flanneld; syncPeers then publishes and sums up.
const peerHook: Handler = async (record, etcdRelations) =>
  isUpgradeStaged(record) ? reconcile(record, etcdRelations) : undefined;

const HANDLERS: Record<string, Handler> = {
  ...Object.fromEntries(
    ["created", "joined", "changed", "departed"].map((kind) => [`overlay-relation-${kind}`, peerHook]),
  ),
  install: async (record, etcdRelations) => {
    await statusSet("maintenance", "installing flanneld");
    return reconcile(record, etcdRelations);
  },
  stop: async () => {
    await stopFlanneld();
    return { state: "maintenance", message: "flanneld stopped" };
  },
  remove: async (record) => {
    await removeEverything(record);
    return undefined;
  },
  "etcd-relation-broken": async (record, etcdRelations) => {
    if (etcdRelations.length > 0) return reconcile(record, etcdRelations);
    await stopFlanneld();
    return { state: "blocked", message: `etcd relation removed: run '${RELATE_HINT}'` };
  },
};

/** Runs one hook: its handler, or reconcile for every hook that only needs the machine brought up to date. */
export async function runHook(context: JujuContext) {
  const record = await loadUnitRecord();
  const broken = context.hookName === "etcd-relation-broken" ? context.relationId : undefined;
  const etcdRelations = await etcdRelationIds(broken);
  const handler = HANDLERS[context.hookName] ?? reconcile;
  const status = await handler(record, etcdRelations).catch(statusOfStop);
  if (context.hookName === "remove") return;
  await saveUnitRecord(record);
  if (status) {
    await statusSet(status.state, status.message);
    await writeHealthState(record, status, etcdRelations.length > 0);
  }
  await syncPeers(context, record, status);
}

function statusOfStop(error: unknown): UnitStatus {
  if (error instanceof StatusStop) return error.status;
  throw error;
}
