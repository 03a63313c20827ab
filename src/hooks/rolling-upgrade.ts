import { rm } from "node:fs/promises";
import { installFlanneld } from "../flannel/binary";
import { isServiceActive } from "../flannel/service";
import { jujuContext } from "../juju/context";
import { relationGetApp, relationSetApp } from "../juju/relation";
import { jujuLog } from "../juju/status";
import { isLeader } from "../juju/unit";
import { peerRelationId, readPeers } from "../peers/peer-relation";
import type { Peer } from "../peers/report";
import { nextUpgradeTurn } from "../peers/upgrade-turns";
import type { UnitRecord } from "./unit-record";

/** Where a new flanneld is checked before its turn (not a noexec /tmp). */
const STAGED_PATH = "/var/lib/flannel-charm/flanneld.staged";
const TURN_KEY = "upgrade-turn";

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
  return takeTurn(relationId, peers, stamp);
}

// The leader hands out turns (only it writes the application bag); it may take a free turn for itself.
async function takeTurn(relationId: string, peers: readonly Peer[], stamp: string): Promise<boolean> {
  const { unitName, appName } = jujuContext();
  const current = (await relationGetApp(relationId, appName))[TURN_KEY] || undefined;
  if (current === unitName) return true;
  if (!(await isLeader())) return false;
  const me = { unit: unitName, report: { upgradeWanted: stamp } };
  if (nextUpgradeTurn(current, [me, ...peers]) !== unitName) return false;
  await relationSetApp(relationId, { [TURN_KEY]: unitName });
  return true;
}

/** On the leader, after every hook: passes the turn on once its holder is back ready with the new flanneld. */
export async function passUpgradeTurn(appData: Record<string, string>, units: readonly Peer[]) {
  const current = appData[TURN_KEY] || undefined;
  const next = nextUpgradeTurn(current, units);
  if (next !== current && next) await jujuLog("INFO", `flanneld upgrade: ${next}'s turn to restart`);
  return { settings: { [TURN_KEY]: next ?? "" }, turn: next };
}
