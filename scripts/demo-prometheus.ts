// The very end of `npm run demo`: Debian's Prometheus (in the world's etcd namespace) scrapes every
// machine's node-exporter, and the demo prints the mesh as Prometheus sees it: round trip per pair.
import type { CharmUnit } from "../test/support/charm-unit";
import { Prometheus } from "../test/support/prometheus";
import type { World } from "../test/world/world";

/** Starts Prometheus, waits for every pair's figure (the timer runs every 30 s), prints the matrix. */
export async function showPrometheusMesh(world: World, units: CharmUnit[]): Promise<boolean> {
  const pairs = units.length * (units.length - 1);
  const prometheus = await Prometheus.start(world);
  try {
    await prometheus.waitUntil(
      async () => (await prometheus.query("flannel_peer_reachable")).length === pairs,
      90_000,
    );
    const rtt = await prometheus.query("flannel_peer_rtt_seconds");
    const reachable = await prometheus.query("flannel_peer_reachable");
    const cell = (from: string, to: string) => {
      if (from === to) return "-";
      const up = reachable.find((s) => s.metric.unit === from && s.metric.peer === to)?.value;
      const seconds = rtt.find((s) => s.metric.unit === from && s.metric.peer === to)?.value;
      return up === 1 && seconds !== undefined ? `${(seconds * 1000).toFixed(2)} ms` : "unreachable";
    };
    const names = units.map((u) => u.name);
    console.log(
      `\n$ promql 'flannel_peer_rtt_seconds'   # from Prometheus, scraping node-exporter on ${units.length} machines`,
    );
    console.log(["from \\ to", ...names].map((c) => c.padEnd(12)).join(" "));
    for (const from of names)
      console.log([from, ...names.map((to) => cell(from, to))].map((c) => c.padEnd(12)).join(" "));
    return reachable.every((s) => s.value === 1);
  } catch (error) {
    console.log(`\nPrometheus: ${(error as Error).message}`);
    return false;
  } finally {
    await prometheus.stop();
  }
}
