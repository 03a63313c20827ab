import type { Peer } from "./report";

/** Whether a unit has a new flanneld staged that it has not yet run to ready. */
export function isUpgradePending(peer: Peer): boolean {
  const { upgradeWanted, flanneldStamp } = peer.report;
  return upgradeWanted !== undefined && upgradeWanted !== flanneldStamp;
}

/**
 * Who may restart flanneld for an upgrade now: the holder keeps the turn until it is back ready with the
 * new binary (or gone); then the lowest-numbered unit still pending gets it. One turn: one restart at a time.
 */
export function nextUpgradeTurn(current: string | undefined, units: readonly Peer[]): string | undefined {
  const pending = units.filter(isUpgradePending);
  if (current !== undefined && pending.some((peer) => peer.unit === current)) return current;
  return pending.map((peer) => peer.unit).sort((a, b) => unitNumber(a) - unitNumber(b))[0];
}

function unitNumber(unit: string): number {
  return Number(unit.split("/")[1] ?? 0);
}
