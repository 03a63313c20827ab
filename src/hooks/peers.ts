import { readLinkAddresses } from "../bridges/ip-addr";
import { FLANNEL_DEVICES } from "../flannel/service";
import type { Lease } from "../flannel/subnet-env";
import { computeHealth } from "../health/health";
import { observeHealth } from "../health/observe";
import type { JujuContext } from "../juju/context";
import { applicationStatusSet } from "../juju/status";
import { isLeader } from "../juju/unit";
import { summarizeApplication } from "../peers/app-status";
import type { ProbeTarget } from "../peers/mesh";
import { PEER_RELATION, peerRelationId, publishReport, readPeers } from "../peers/peer-relation";
import { writePeersFile } from "../peers/peers-file";
import type { Peer, PeerReport } from "../peers/report";
import { reclaimStaleLeases } from "./lease-reclaim";
import type { UnitRecord } from "./unit-record";

/**
 * After every hook: publishes this unit's report on the overlay peer relation, saves the peers for
 * `./health --peers`, and on the leader sets the application status from every unit's report.
 */
export async function syncPeers(context: JujuContext, record: UnitRecord): Promise<void> {
  if (context.hookName === `${PEER_RELATION}-relation-broken`) return;
  const relationId = await peerRelationId();
  if (relationId === undefined) return;
  const report = await observeReport(record);
  await publishReport(relationId, report);
  const peers = await readPeers(relationId);
  await writePeersFile(peers.map(toTarget));
  if (!(await isLeader())) return;
  const units = [{ unit: context.unitName, report }, ...peers];
  const live = units.map(({ unit, report }) => ({ unit, ip: report.publicIp }));
  const notes = await reclaimStaleLeases(relationId, context.appName, live, record);
  const network = record.joined?.network ?? "no network";
  const status = summarizeApplication(units, network, record.joined?.backend ?? "?");
  await applicationStatusSet(status.state, [status.message, ...notes].join("; "));
}

/** The peer targets mesh-check probes: every other unit's overlay address. */
export function toTarget(peer: Peer): ProbeTarget {
  return { unit: peer.unit, subnet: peer.report.subnet, address: peer.report.overlayAddress };
}

async function observeReport(record: UnitRecord): Promise<PeerReport> {
  const observation = await observeHealth();
  const lease = observation.lease?.ok ? observation.lease.lease : undefined;
  return {
    subnet: lease?.subnet,
    publicIp: record.publicIp,
    backend: record.joined?.backend,
    flanneldVersion: record.flanneldVersion,
    health: computeHealth(observation).line,
    overlayAddress: lease === undefined ? undefined : await overlayAddressOf(record, lease),
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
