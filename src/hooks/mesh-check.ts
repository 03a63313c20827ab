import { actionFail, actionSet } from "../juju/action";
import { describeUnreachable, probePeers, renderActionResults } from "../peers/mesh";
import { peerRelationId, readPeers } from "../peers/peer-relation";
import { toTarget } from "./peers";

/** The mesh-check action: probes every peer's overlay address from this unit, all in parallel. */
export async function runMeshCheck(): Promise<void> {
  const relationId = await peerRelationId();
  const peers = relationId === undefined ? [] : await readPeers(relationId);
  const results = await probePeers(peers.map(toTarget));
  await actionSet(renderActionResults(results));
  const unreachable = describeUnreachable(results);
  if (unreachable !== undefined) await actionFail(unreachable);
}
