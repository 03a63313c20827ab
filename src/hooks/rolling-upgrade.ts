import { rm } from "node:fs/promises";
import { installFlanneld } from "../flannel/binary";
import { isServiceActive } from "../flannel/service";
import { jujuLog } from "../juju/status";
import { peerRelationId, readPeers } from "../peers/peer-relation";
import { takeRestartTurn } from "./restart-turn";
import type { UnitRecord } from "./unit-record";

/** Where a new flanneld is checked before its turn (not a noexec /tmp). */
const STAGED_PATH = "/var/lib/flannel-charm/flanneld.staged";

/** Whether a checked new flanneld waits here for this unit's turn. */
export function isUpgradeStaged(record: UnitRecord): boolean {
  return record.upgradeWanted !== undefined && record.upgradeWanted !== record.resourceStamp;
}

/**
 * Decides whether a changed flannel resource may be installed now. A first install, a stopped flanneld or a
 * lone unit go ahead; a running one checks the new binary at once (a bad one throws InvalidFlanneldError and
 * blocks, the old flanneld untouched) and then waits for its turn, so that one unit restarts at a time.
 */
export async function mayInstallNow(record: UnitRecord, stamp: string, resource: string): Promise<boolean> {
  if (record.flanneldVersion === undefined || !(await isServiceActive())) return true;
  const relationId = await peerRelationId();
  const peers = relationId === undefined ? [] : await readPeers(relationId);
  if (relationId === undefined || peers.length === 0) return true;
  if (record.upgradeWanted !== stamp) {
    // Checked where it cannot be run by accident; it is installed from the resource when its turn comes.
    await installFlanneld(resource, STAGED_PATH);
    await rm(STAGED_PATH, { force: true });
    record.upgradeWanted = stamp;
    await jujuLog("INFO", "a new flanneld passed its checks; waiting for this unit's turn to restart");
  }
  return takeRestartTurn(relationId, peers, { upgradeWanted: stamp });
}
