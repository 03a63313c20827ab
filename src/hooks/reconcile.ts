import { type CharmConfig, parseCharmConfig } from "../config/charm-config";
import { identityOf } from "../etcd-client/identity";
import { clientRequest } from "../etcd-client/protocol";
import { jujuContext } from "../juju/context";
import { jujuLog } from "../juju/status";
import { configGet, isLeader } from "../juju/unit";
import { ensureDataPath } from "./bridge";
import { credentialsForNow } from "./cert-switch";
import { bothEndpointsMessage, isEtcdClientRelation, readEtcdAccess } from "./etcd-access";
import { ensureFlanneldBinary } from "./flanneld-binary";
import { ensureFlanneldRunning, waitForHeldLease } from "./flanneld-service";
import { ensureMetricsTimer } from "./metrics-timer";
import { ensureNetworkJoined } from "./network";
import { ensureStartupSnapshot } from "./startup-snapshot";
import type { UnitRecord } from "./unit-record";
import { active, blocked, type UnitStatus } from "./unit-status";

/**
 * Brings the machine to what config, relation and resource ask for. Safe to re-run: every step changes
 * only what differs, so a second run restarts nothing. A step that cannot go on stops with a status.
 */
export async function reconcile(record: UnitRecord, etcdRelations: readonly string[]): Promise<UnitStatus> {
  try {
    return await reconcileOverlay(record, etcdRelations);
  } finally {
    // Also when the overlay stops blocked or waiting: a unit that never gets ready is the one whose
    // figures matter most. After the data path, so a slow package install never delays the overlay.
    await warnIfFails("metrics", ensureMetricsTimer);
    await warnIfFails("start-up snapshot", ensureStartupSnapshot);
  }
}

// Steps the overlay does not need: a failure is the operator's to read in the log, never the hook's end.
async function warnIfFails(what: string, step: () => Promise<unknown>): Promise<void> {
  await step()
    .catch((error: unknown) =>
      jujuLog("WARNING", `${what}: ${error instanceof Error ? error.message : String(error)}`),
    )
    .catch(() => undefined);
}

async function reconcileOverlay(record: UnitRecord, etcdRelations: readonly string[]): Promise<UnitStatus> {
  const config = await readConfig();
  record.containerType = config.containerType;
  const binary = await ensureFlanneldBinary(record);
  const relationAccess = await readEtcdAccess(
    record,
    etcdRelations,
    await prepareEtcdClient(config, etcdRelations),
  );
  // Before anything asks etcd or writes the files: a unit waiting for its turn keeps the running credentials.
  const access = await credentialsForNow(relationAccess, record, config.etcdPrefix);
  await ensureNetworkJoined(config, access, record);
  await ensureFlanneldRunning(config, access, binary, record);
  const { lease, bridge } = await ensureDataPath(
    config,
    await waitForHeldLease(access, config, record),
    record,
  );
  return active(`ready: subnet ${lease.subnet} mtu ${lease.mtu}${bridge ? ` (${bridge})` : ""}`);
}

/** On the etcd-client endpoint the leader first makes sure the request is out; every unit then reads the answer. */
async function prepareEtcdClient(config: CharmConfig, etcdRelations: readonly string[]) {
  const clientIds = etcdRelations.filter(isEtcdClientRelation);
  if (clientIds.length === 0 || bothEndpointsMessage(etcdRelations)) return {};
  const context = jujuContext();
  if (await isLeader()) {
    const { ensureClientRequests } = await import("../etcd-client/leader");
    await ensureClientRequests(context, clientIds, config.etcdPrefix);
  }
  return { request: clientRequest(config.etcdPrefix, identityOf(context)) };
}

async function readConfig(): Promise<CharmConfig> {
  const result = parseCharmConfig(await configGet());
  if (!result.ok) blocked(`invalid config: ${result.problems.join("; ")}`);
  return result.config;
}
