import type { CharmUnit } from "../support/charm-unit";

const TEXTFILE = "/var/lib/prometheus/node-exporter/flannel.prom";

/**
 * What a unit's metrics say now, in one line: a collection is run at once (the timer's own service, so
 * the figures are this moment's, not up to 30 s old), then its textfile read, as node-exporter serves it.
 */
export async function metricsLine(unit: CharmUnit): Promise<string> {
  const started = await unit.machine.exec(["systemctl", "start", "flannel-metrics.service"]);
  if (started.exitCode !== 0) return `${unit.name}: no collection (${started.stderr.trim()})`;
  return summarize(unit.name, await unit.machine.readFile(TEXTFILE));
}

/** `flannel/0 ready=0 reason=flanneld-inactive flanneld_up=0 restarts=3 unreachable=[flannel/1]`. */
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
    `peers=${value("flannel_peers")}`,
    `unreachable=[${unreachable.join(",")}]`,
  ].join(" ");
}
