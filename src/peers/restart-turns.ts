// One flanneld restart at a time across the application, for whatever asks for it: a new binary staged
// (rolling upgrade) or a renewed etcd client certificate. Each unit reports what it wants and, while
// ready, what it runs; the leader hands out the turn.
import type { Peer } from "./report";

/** Whether a unit wants a new flanneld it has not yet run to ready. */
export function isUpgradePending(peer: Peer): boolean {
  const { upgradeWanted, flanneldStamp } = peer.report;
  return upgradeWanted !== undefined && upgradeWanted !== flanneldStamp;
}

/** Whether a unit wants a renewed client certificate it has not yet run to ready. */
export function isCertSwitchPending(peer: Peer): boolean {
  const { clientCertWanted, clientCert } = peer.report;
  return clientCertWanted !== undefined && clientCertWanted !== clientCert;
}

/** Whether a unit waits for (or holds) a turn to restart flanneld. */
export function isRestartPending(peer: Peer): boolean {
  return isUpgradePending(peer) || isCertSwitchPending(peer);
}

/**
 * Who may restart flanneld now: the holder keeps the turn until it is back ready with what it wanted (or
 * gone); then the lowest-numbered unit still pending gets it. One turn: one restart at a time.
 */
export function nextRestartTurn(current: string | undefined, units: readonly Peer[]): string | undefined {
  const pending = units.filter(isRestartPending);
  if (current !== undefined && pending.some((peer) => peer.unit === current)) return current;
  return pending.map((peer) => peer.unit).sort((a, b) => unitNumber(a) - unitNumber(b))[0];
}

function unitNumber(unit: string): number {
  return Number(unit.split("/")[1] ?? 0);
}
