import type { StatusState } from "../juju/status";
import { isReady, type Peer } from "./report";

export interface AppStatus {
  readonly state: StatusState;
  readonly message: string;
}

/**
 * The application at a glance, from every unit's report (the leader's own included):
 * `3/3 units on 10.10.0.0/16 (udp)`, or `2/3 units ready; flannel/2: not-ready reason:flanneld-inactive`.
 */
export function summarizeApplication(units: readonly Peer[], network: string, backend: string): AppStatus {
  const sorted = [...units].sort((a, b) => unitNumber(a.unit) - unitNumber(b.unit));
  const notReady = sorted.filter((peer) => !isReady(peer.report));
  const total = sorted.length;
  if (notReady.length === 0)
    return { state: "active", message: `${total}/${total} units on ${network} (${backend})` };
  const problems = notReady.map((peer) => `${peer.unit}: ${peer.report.health ?? "no report yet"}`);
  const blocked = notReady.some((peer) => /reason:blocked\b/.test(peer.report.health ?? ""));
  return {
    state: blocked ? "blocked" : "waiting",
    message: `${total - notReady.length}/${total} units ready; ${problems.join("; ")}`,
  };
}

function unitNumber(unit: string): number {
  return Number(unit.split("/")[1] ?? 0);
}
