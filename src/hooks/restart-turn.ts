// The one rolling turn to restart flanneld, kept by the leader in the peer relation's application bag:
// a new binary (rolling-upgrade.ts) and a renewed client certificate (cert-switch.ts) both wait for it.
import { jujuContext } from "../juju/context";
import { relationGetApp, relationSetApp } from "../juju/relation";
import { jujuLog } from "../juju/status";
import { isLeader } from "../juju/unit";
import type { Peer, PeerReport } from "../peers/report";
import { isUpgradePending, nextRestartTurn } from "../peers/restart-turns";

// Named when upgrades were its only use; kept, so that a charm upgrade in mid-turn keeps the holder.
const TURN_KEY = "upgrade-turn";

/**
 * Whether this unit may restart now. The leader hands out turns (only it writes the application bag) and
 * may take a free one for itself; `wants` is what this unit is about to publish as pending.
 */
export async function takeRestartTurn(
  relationId: string,
  peers: readonly Peer[],
  wants: PeerReport,
): Promise<boolean> {
  const { unitName, appName } = jujuContext();
  const current = (await relationGetApp(relationId, appName))[TURN_KEY] || undefined;
  if (current === unitName) return true;
  if (!(await isLeader())) return false;
  const me = { unit: unitName, report: wants };
  if (nextRestartTurn(current, [me, ...peers]) !== unitName) return false;
  await relationSetApp(relationId, { [TURN_KEY]: unitName });
  return true;
}

/** On the leader, after every hook: passes the turn on once its holder is back ready with what it wanted. */
export async function passRestartTurn(appData: Record<string, string>, units: readonly Peer[]) {
  const current = appData[TURN_KEY] || undefined;
  const next = nextRestartTurn(current, units);
  const holder = units.find((peer) => peer.unit === next);
  const why = holder && isUpgradePending(holder) ? "flanneld upgrade" : "client certificate renewal";
  if (next !== current && next) await jujuLog("INFO", `rolling ${why}: ${next}'s turn to restart`);
  const note = next ? `rolling ${why}: ${next} restarting` : undefined;
  return { settings: { [TURN_KEY]: next ?? "" }, turn: next, note };
}
