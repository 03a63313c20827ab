import type { CharmUnit } from "../support/charm-unit";
import type { Scenario } from "./campaign";

const TEXTFILE = "/var/lib/prometheus/node-exporter/flannel.prom";

/** A recovered unit's line: ready implies flanneld up (the metric and ./health read the same observation). */
const RECOVERED = / ready=1 reason=none flanneld_up=1 /;

/**
 * What a unit's metrics say now, in one line: a collection is run at once (the timer's own service, so
 * the figures are this moment's, not up to 30 s old), then its textfile read, as node-exporter serves it.
 */
export async function metricsLine(unit: CharmUnit): Promise<string> {
  const started = await unit.machine.exec(["systemctl", "start", "flannel-metrics.service"]);
  if (started.exitCode !== 0) return `${unit.name}: no collection (${started.stderr.trim()})`;
  return summarize(unit.name, await unit.machine.readFile(TEXTFILE));
}

/** `flannel/0 ready=0 reason=flanneld-inactive flanneld_up=0 restarts=3 … unreachable=[flannel/1]`. */
export function summarize(unit: string, text: string): string {
  const value = (name: string) => new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, "m").exec(text)?.[1] ?? "-";
  const reason = /^flannel_ready\{[^}]*reason="([^"]*)"[^}]*\} /m.exec(text)?.[1] ?? "-";
  const unreachable = [...text.matchAll(/^flannel_peer_reachable\{[^}]*peer="([^"]+)"[^}]*\} 0$/gm)].map(
    (m) => m[1],
  );
  return [
    unit,
    `ready=${value("flannel_ready")}`,
    `reason=${reason}`,
    `flanneld_up=${value("flannel_flanneld_up")}`,
    `restarts=${value("flannel_flanneld_restarts_total")}`,
    `etcd_up=${value("flannel_etcd_up")}`,
    `lease_present=${value("flannel_lease_present")}`,
    `peers=${value("flannel_peers")}`,
    `unreachable=[${unreachable.join(",")}]`,
  ].join(" ");
}

/** Records every unit's metrics as "after" (the scenario recovered) and checks each says ready. */
export async function recordRecovered(s: Scenario, units: readonly CharmUnit[]): Promise<void> {
  const lines = await s.recordMetrics("after", units);
  for (const line of lines) s.check(RECOVERED.test(line), `metrics after recovery: ${line}`);
}

/**
 * Records every unit's metrics under `label` and checks that `unit`'s say ./health's verdict. Checked only
 * when ./health said the same just before and just after the collection: a verdict that moved meanwhile
 * (flanneld restarting on its own) is noted, since the collection may have seen either side.
 */
export async function recordBesideHealth(
  s: Scenario,
  label: string,
  units: readonly CharmUnit[],
  unit: CharmUnit,
): Promise<string[]> {
  const before = healthVerdict((await unit.health()).stdout);
  const lines = await s.recordMetrics(label, units);
  const after = healthVerdict((await unit.health()).stdout);
  const line = lines[units.indexOf(unit)] ?? "(not recorded)";
  if (before !== after) {
    s.note(`${label}: ./health went from '${before}' to '${after}' while collecting`);
  } else {
    s.check(line.includes(` ${before} `), `${label}: ${unit.name}'s metrics '${line}', ./health '${before}'`);
  }
  return lines;
}

/** A ./health line as the metrics line puts it: `ready=1 reason=none`, `ready=0 reason=flanneld-inactive`. */
export function healthVerdict(line: string): string {
  const trimmed = line.trim();
  if (/^ready( |$)/.test(trimmed)) return "ready=1 reason=none";
  return `ready=0 reason=${/ reason:(\S+)$/.exec(trimmed)?.[1] ?? "?"}`;
}
