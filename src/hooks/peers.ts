import { readLinkAddresses } from "../bridges/ip-addr";
import { certificateInUse } from "../etcd/tls-files";
import { FLANNEL_DEVICES } from "../flannel/service";
import type { Lease } from "../flannel/subnet-env";
import type { HealthObservation } from "../health/health";
import { computeHealth } from "../health/health";
import { observeHealth } from "../health/observe";
import type { JujuContext } from "../juju/context";
import { relationGetApp, relationSetApp } from "../juju/relation";
import { applicationStatusSet, statusSet } from "../juju/status";
import { isLeader } from "../juju/unit";
import { summarizeApplication } from "../peers/app-status";
import type { ProbeTarget } from "../peers/mesh";
import { PEER_RELATION, peerRelationId, publishReport, readPeers } from "../peers/peer-relation";
import { writePeersFile } from "../peers/peers-file";
import type { Peer, PeerReport } from "../peers/report";
import { reclaimStaleLeases } from "./lease-reclaim";
import { passRestartTurn } from "./restart-turn";
import { isUpgradeStaged } from "./rolling-upgrade";
import type { UnitRecord } from "./unit-record";
import type { UnitStatus } from "./unit-status";

/** What the hook already read, so that syncPeers need not look again. */
export interface KnownToPeers {
  /** The machine as ./health would observe it now (the fast path has just looked at all of it). */
  readonly observation?: HealthObservation;
  /** `config-get` output. */
  readonly config?: Record<string, unknown>;
  /** The peer side, read beside the hook's own observation (readPeerSide). */
  readonly peerSide?: Promise<PeerSide | undefined>;
}

/** What the other units published, and what the leader keeps in the application's data. */
export interface PeerSide {
  readonly relationId: string;
  readonly peers: Peer[];
  /** The application's data on the peer relation; read by the leader only. */
  readonly appData: Record<string, string> | undefined;
}

/**
 * Reads the peer relation: nothing in it depends on this hook's plan, so a hook may start it beside its
 * own observation. Undefined before Juju has created the relation.
 */
export async function readPeerSide(context: JujuContext): Promise<PeerSide | undefined> {
  const [relationId, leader] = await Promise.all([peerRelationId(), isLeader()]);
  if (relationId === undefined) return undefined;
  const [peers, appData] = await Promise.all([
    readPeers(relationId),
    leader ? relationGetApp(relationId, context.appName) : undefined,
  ]);
  return { relationId, peers, appData };
}

/**
 * After every hook: publishes this unit's report on the overlay peer relation, saves the peers for
 * `./health --peers`, and on the leader sums the application up, reclaims stale leases and hands out
 * upgrade turns.
 */
export async function syncPeers(
  context: JujuContext,
  record: UnitRecord,
  status: UnitStatus | undefined,
  known: KnownToPeers = {},
) {
  if (context.hookName === `${PEER_RELATION}-relation-broken`) return;
  const side = await (known.peerSide ?? readPeerSide(context));
  if (side === undefined) return;
  const { relationId, peers, appData } = side;
  const inUse = record.etcdTls ? await certificateInUse() : undefined;
  const report = await observeReport(record, inUse, known.observation);
  const waits = waitingFor(record, inUse);
  const units = [{ unit: context.unitName, report }, ...peers];
  // Independent tool calls, side by side: each is a process of its own.
  await Promise.all([
    publishReport(relationId, report),
    status && waits ? statusSet(status.state, `${status.message}; ${waits}`) : undefined,
    appData === undefined ? undefined : leadApplication(relationId, appData, record, units, known.config),
    writePeersFile(peers.map(toTarget)),
  ]);
}

async function leadApplication(
  relationId: string,
  appData: Record<string, string>,
  record: UnitRecord,
  units: Peer[],
  config: Record<string, unknown> | undefined,
) {
  const live = units.map(({ unit, report }) => ({ unit, ip: report.publicIp }));
  const leases = await reclaimStaleLeases(appData, live, record, config);
  const turn = await passRestartTurn(appData, units);
  const settings = { ...leases.settings, ...turn.settings };
  if (Object.entries(settings).some(([key, value]) => (appData[key] ?? "") !== value)) {
    await relationSetApp(relationId, settings);
  }
  const notes = [...leases.notes, ...(turn.note ? [turn.note] : [])];
  const summary = summarizeApplication(
    units,
    record.joined?.network ?? "no network",
    record.joined?.backend ?? "?",
  );
  await applicationStatusSet(summary.state, [summary.message, ...notes].join("; "));
}

// What this unit still waits for, as a note after its (ready) status: a restart in its turn.
function waitingFor(record: UnitRecord, inUse: string | undefined): string | undefined {
  if (isUpgradeStaged(record)) return "a new flanneld is staged, waiting for this unit's turn";
  if (record.clientCertWanted !== undefined && record.clientCertWanted !== inUse)
    return "a renewed etcd client certificate waits for this unit's turn";
  return undefined;
}

/** The peer targets mesh-check probes: every other unit's overlay address. */
export function toTarget(peer: Peer): ProbeTarget {
  return { unit: peer.unit, subnet: peer.report.subnet, address: peer.report.overlayAddress };
}

async function observeReport(
  record: UnitRecord,
  clientCert: string | undefined,
  known?: HealthObservation,
): Promise<PeerReport> {
  const observation = known ?? (await observeHealth());
  const lease = observation.facts.lease?.ok ? observation.facts.lease.lease : undefined;
  const health = computeHealth(observation);
  const ready = health.exitCode === 0;
  return {
    subnet: lease?.subnet,
    publicIp: record.publicIp,
    backend: record.joined?.backend,
    flanneldVersion: record.flanneldVersion,
    health: health.line,
    overlayAddress: lease === undefined ? undefined : await overlayAddressOf(record, lease),
    upgradeWanted: record.upgradeWanted,
    flanneldStamp: ready ? record.resourceStamp : undefined,
    clientCertWanted: record.clientCertWanted,
    clientCert: ready ? clientCert : undefined,
  };
}

// A bridge holds the subnet's first address; without one, flanneld's own device answers on the overlay.
async function overlayAddressOf(record: UnitRecord, lease: Lease): Promise<string | undefined> {
  if (record.containerType !== undefined && record.containerType !== "none")
    return lease.subnet.split("/")[0];
  for (const device of FLANNEL_DEVICES) {
    const address = (await readLinkAddresses(device))?.addresses[0];
    if (address !== undefined) return address.split("/")[0];
  }
  return undefined;
}
