// A dashboard as the cos_agent library prepares it before compressing: its uid replaced by cosl's
// DashboardPath40UID of the charm's name and the file's path in the charm, a "charm: <name>" tag added,
// then written by Python's json.dumps. The compression (LZMA, xz format, base64) happens at build time
// (scripts/build.mjs), since Node.js has no LZMA: the dashboard is the same for every unit.
import { createHash } from "node:crypto";
import { pyJsonDumps } from "./py-json";

/** 40 hex digits: SHAKE-256 of the components joined by "-", 20 bytes. */
export function dashboardUid(...components: string[]): string {
  return createHash("shake256", { outputLength: 20 }).update(components.join("-"), "utf8").digest("hex");
}

/** The text the library compresses for the dashboard at `relPath` (e.g. src/grafana_dashboards/x.json). */
export function prepareDashboard(text: string, charmName: string, relPath: string): string {
  const dashboard = JSON.parse(text) as Record<string, unknown>;
  dashboard.uid = dashboardUid(charmName, relPath);
  const tags = Array.isArray(dashboard.tags) ? (dashboard.tags as string[]) : [];
  if (!tags.some((tag) => tag.startsWith("charm: "))) tags.push(`charm: ${charmName}`);
  dashboard.tags = tags;
  return pyJsonDumps(dashboard);
}
