import { relationGet, relationIds, relationList, relationSet } from "../juju/relation";
import { type Peer, type PeerReport, parsePeerReport, renderPeerReport } from "./report";

/** The peer endpoint of metadata.yaml (interface flannel-mesh). */
export const PEER_RELATION = "overlay";

/** The id of the overlay peer relation (e.g. "overlay:0"); undefined before Juju created it. */
export async function peerRelationId(): Promise<string | undefined> {
  return (await relationIds(PEER_RELATION))[0];
}

/** Every other unit of the application and what it published. */
export async function readPeers(relationId: string): Promise<Peer[]> {
  const units = await relationList(relationId);
  return Promise.all(
    units.map(async (unit) => ({ unit, report: parsePeerReport(await relationGet(relationId, unit)) })),
  );
}

/** Publishes this unit's report; unknown fields are deleted rather than left stale. */
export async function publishReport(relationId: string, report: PeerReport): Promise<void> {
  await relationSet(relationId, renderPeerReport(report));
}
