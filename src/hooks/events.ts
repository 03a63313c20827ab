import { ProgramError } from "../bridges/programs";
import { EtcdRefused } from "../etcd/client";
import { forgetEtcdClient, removeObsoleteRevision } from "../etcd-client/cleanup";
import type { JujuContext } from "../juju/context";
import { jujuLog, safeStatusMessage, statusSet } from "../juju/status";
import { isCertSwitchStaged } from "./cert-switch";
import { COS_AGENT_HOOKS, publishCosAgent } from "./cos-agent";
import { etcdRelationIds, RELATE_HINT, RELATE_HINT_CHARMED } from "./etcd-access";
import { writeHealthState } from "./health-state";
import { syncPeers } from "./peers";
import { reconcile } from "./reconcile";
import { isUpgradeStaged } from "./rolling-upgrade";
import { removeEverything, stopFlanneld } from "./teardown";
import { loadUnitRecord, saveUnitRecord, type UnitRecord, UnreadableRecordError } from "./unit-record";
import { StatusStop, type UnitStatus } from "./unit-status";

const REFUSED_HINT =
  "give the relation's client certificate read and write access to the etcd-prefix, or relate to another etcd";

type Handler = (record: UnitRecord, etcdRelations: readonly string[]) => Promise<UnitStatus | undefined>;

// Peers coming, going or publishing change nothing on this machine, unless they bring this unit's turn to
// restart (a staged flanneld, a renewed certificate); syncPeers then publishes and sums up.
const peerHook: Handler = async (record, etcdRelations) =>
  isUpgradeStaged(record) || (await isCertSwitchStaged(record))
    ? reconcile(record, etcdRelations)
    : undefined;

const HANDLERS: Record<string, Handler> = {
  ...Object.fromEntries(
    ["created", "joined", "changed", "departed"].map((kind) => [`overlay-relation-${kind}`, peerHook]),
  ),
  // The collector coming or going changes nothing on this machine: the data is written after the handler.
  ...Object.fromEntries(
    ["created", "joined", "changed", "departed", "broken"].map((kind) => [
      `cos-agent-relation-${kind}`,
      async () => undefined,
    ]),
  ),
  // Only a unit leaving (or its application removed) breaks its peer relation: nothing to bring up.
  "overlay-relation-broken": async () => undefined,
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
  // flanneld stops using Charmed etcd and its key leaves the disk; the user and role are etcd's to delete.
  "etcd-client-relation-broken": async (record, etcdRelations) => {
    await forgetEtcdClient(record);
    if (etcdRelations.length > 0) return reconcile(record, etcdRelations);
    return {
      state: "waiting",
      message: `etcd-client relation removed; waiting for an etcd relation ('${RELATE_HINT}' or '${RELATE_HINT_CHARMED}')`,
    };
  },
  // A revision of our certificate no consumer tracks any more: the owner removes it.
  "secret-remove": async () => {
    await removeObsoleteRevision(process.env);
    return undefined;
  },
};

/** Runs one hook: its handler, or reconcile for every hook that only needs the machine brought up to date. */
export async function runHook(context: JujuContext) {
  const { record, problem } = await loadRecord();
  const brokenHooks = ["etcd-relation-broken", "etcd-client-relation-broken"];
  const broken = brokenHooks.includes(context.hookName) ? context.relationId : undefined;
  const etcdRelations = await etcdRelationIds(broken);
  const handler = pickHandler(context.hookName, problem);
  const status = await handler(record, etcdRelations).catch(statusOfStop);
  if (context.hookName === "remove") return;
  // A record that could not be read stays as it is, for the operator to look at.
  if (problem === undefined) await saveUnitRecord(record);
  // ./health and the peers see the same message as Juju: secrets hidden and length capped alike.
  const shown = status && { state: status.state, message: safeStatusMessage(status.message) };
  if (shown) {
    await statusSet(shown.state, shown.message);
    await writeHealthState(record, shown, etcdRelations.length > 0);
  }
  await syncPeers(context, record, shown);
  if (COS_AGENT_HOOKS.has(context.hookName)) await publishCosAgent(context);
}

// Stopping and removing need no memory of the network joined; every other hook would act on a guess.
function pickHandler(hookName: string, recordProblem: string | undefined): Handler {
  if (recordProblem !== undefined && hookName !== "stop" && hookName !== "remove") {
    return async () => ({ state: "blocked", message: recordProblem });
  }
  return HANDLERS[hookName] ?? reconcile;
}

async function loadRecord(): Promise<{ record: UnitRecord; problem?: string }> {
  try {
    return { record: await loadUnitRecord() };
  } catch (error) {
    if (!(error instanceof UnreadableRecordError)) throw error;
    await jujuLog("ERROR", error.message);
    const problem =
      `${error.message}: check that network, subnet-len, backend and etcd-prefix are what this unit ` +
      `joined with, then delete ${error.path} (the next hook rebuilds it)`;
    return { record: {}, problem };
  }
}

function statusOfStop(error: unknown): UnitStatus {
  if (error instanceof StatusStop) return error.status;
  if (error instanceof EtcdRefused)
    return { state: "blocked", message: `etcd refused the charm (${error.message}): ${REFUSED_HINT}` };
  // A hung program was killed at its bound; the next hook (update-status at the latest) tries again.
  if (error instanceof ProgramError && error.timedOut)
    return { state: "waiting", message: `${error.message}; retrying` };
  throw error;
}
