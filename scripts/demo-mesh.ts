// The end of `npm run demo`: the units join their peer relation and flannel/0 runs the mesh-check action.
import type { CharmUnit } from "../test/support/charm-unit";
import { PeerMesh } from "../test/support/peer-mesh";

interface ActionDiff {
  action?: { status: string; message: string; results: Record<string, Record<string, string> | string> };
}

/** Joins the peer relation, runs mesh-check on the first unit and prints its table; true if all reachable. */
export async function showMeshCheck(units: CharmUnit[]): Promise<boolean> {
  await new PeerMesh().join(...units);
  const first = units[0];
  if (!first) return false;
  const appStatus = (await first.readModel()).appStatus;
  console.log(
    `\n$ juju status flannel   # application status, set by the leader\nflannel  ${appStatus.status}  ${appStatus.message}`,
  );
  const result = await first.operate("action", "mesh-check");
  const action = (result.hooks[0]?.diff as ActionDiff | undefined)?.action;
  console.log(
    `\n$ juju run ${first.name} mesh-check\npeer        subnet            address       sent  received  rtt-ms  status`,
  );
  for (const value of Object.values(action?.results ?? {})) {
    if (typeof value === "string") continue;
    const row = [
      value.unit,
      value.subnet,
      value.address,
      value.sent,
      value.received,
      value["rtt-ms"],
      value.status,
    ];
    const widths = [10, 16, 12, 4, 8, 6, 0];
    console.log(row.map((cell, i) => String(cell ?? "").padEnd(widths[i] ?? 0)).join("  "));
  }
  if (action?.status !== "completed") console.log(`mesh-check ${action?.status}: ${action?.message}`);
  return action?.status === "completed";
}
