import { readLinkAddresses } from "../bridges/ip-addr";
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
import { isUpgradeStaged, passUpgradeTurn } from "./rolling-upgrade";
import type { UnitRecord } from "./unit-record";
import type { UnitStatus } from "./unit-status";

/** What the hook already read, so that syncPeers need not look again. */
export interface KnownToPeers {
  /** The machine as ./health would observe it now (the fast path has just looked at all of it). */
  readonly observation?: HealthObservation;
  /** `config-get` output. */
  readonly config?: Record<string, unknown>;
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
  const [relationId, leader] = await Promise.all([peerRelationId(), isLeader()]);
  if (relationId === undefined) return;
  const report = await observeReport(record, known.observation);
  // Independent tool calls, side by side: each is a process of its own.
  const [, peers, appData] = await Promise.all([
    publishReport(relationId, report),
    readPeers(relationId),
    leader ? relationGetApp(relationId, context.appName) : undefined,
  ]);
  if (status && isUpgradeStaged(record)) {
    await statusSet(
      status.state,
      `${status.message}; a new flanneld is staged, waiting for this unit's turn`,
    );
  }
  await writePeersFile(peers.map(toTarget));
  if (appData !== undefined) {
    const units = [{ unit: context.unitName, report }, ...peers];
    await leadApplication(relationId, appData, record, units, known.config);
  }
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
  const upgrade = await passUpgradeTurn(appData, units);
  const settings = { ...leases.settings, ...upgrade.settings };
  if (Object.entries(settings).some(([key, value]) => (appData[key] ?? "") !== value)) {
    await relationSetApp(relationId, settings);
  }
  const notes = [
    ...leases.notes,
    ...(upgrade.turn ? [`rolling flanneld upgrade: ${upgrade.turn} restarting`] : []),
  ];
  const summary = summarizeApplication(
    units,
    record.joined?.network ?? "no network",
    record.joined?.backend ?? "?",
  );
  await applicationStatusSet(summary.state, [summary.message, ...notes].join("; "));
}

/** The peer targets mesh-check probes: every other unit's overlay address. */
export function toTarget(peer: Peer): ProbeTarget {
  return { unit: peer.unit, subnet: peer.report.subnet, address: peer.report.overlayAddress };
}

async function observeReport(record: UnitRecord, known?: HealthObservation): Promise<PeerReport> {
  const observation = known ?? (await observeHealth());
  const lease = observation.facts.lease?.ok ? observation.facts.lease.lease : undefined;
  const health = computeHealth(observation);
  return {
    subnet: lease?.subnet,
    publicIp: record.publicIp,
    backend: record.joined?.backend,
    flanneldVersion: record.flanneldVersion,
    health: health.line,
    overlayAddress: lease === undefined ? undefined : await overlayAddressOf(record, lease),
    upgradeWanted: record.upgradeWanted,
    flanneldStamp: health.exitCode === 0 ? record.resourceStamp : undefined,
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
