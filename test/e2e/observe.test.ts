import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertHooksSucceeded, type CharmUnit } from "../support/charm-unit";
import { deployCluster, E2E_TIMEOUT_MS, subnetOf, waitReady } from "../support/overlay";
import { PeerMesh } from "../support/peer-mesh";
import { Prometheus, RULES_FILE, type Sample } from "../support/prometheus";
import { World } from "../world/world";

const UDP_PORT = 8285;
const DASHBOARD_FILE = new URL("../../src/grafana_dashboards/flannel.json", import.meta.url).pathname;
/** The bound: a cut shows in flannel_peer_reachable within 60 s (timer 30 s + probe + scrape). */
const DETECT_MS = 60_000;

// The overlay watched: 3 booted machines with the charm, each serving its figures through Debian's
// node-exporter (textfile collector, refreshed by flannel-metrics.timer), scraped by a real Prometheus with
// the charm's alert rules loaded. One machine's overlay traffic is cut on the underlay, then healed.
describe("the overlay watched by a real Prometheus", { timeout: E2E_TIMEOUT_MS }, () => {
  let world: World;
  let units: CharmUnit[];
  let prometheus: Prometheus | undefined;
  let subnets: string[];

  beforeAll(async () => {
    world = await World.boot({ machines: 3, docker: false });
    units = await deployCluster(world, { containerType: "none", etcd: "legacy" });
    subnets = (await waitReady(units)).map(subnetOf);
    await new PeerMesh().join(...units);
    prometheus = await Prometheus.start(world);
  }, E2E_TIMEOUT_MS);
  afterAll(async () => {
    await prometheus?.stop();
    await world?.teardown();
  });

  const prom = () => prometheus as Prometheus;
  const pairsOf = (samples: Sample[]) => samples.map((s) => `${s.metric.unit}->${s.metric.peer}`).sort();
  const allPairs = () =>
    units.flatMap((a) => units.filter((b) => b !== a).map((b) => `${a.name}->${b.name}`)).sort();

  it("scrapes every flannel figure of every machine with the right values", async () => {
    // The timer writes the peers the last hook saved: wait until every unit's collection has seen both.
    await prom().waitUntil(async () => (await prom().query("flannel_peers == 2")).length === 3, 90_000);
    await prom().waitUntil(
      async () => (await prom().query("flannel_peer_reachable == 1")).length === 6,
      60_000,
    );
    const byUnit = async (expr: string) =>
      Object.fromEntries((await prom().query(expr)).map((s) => [s.metric.unit, s]));
    const names = units.map((u) => u.name);
    const ready = await byUnit("flannel_ready");
    const info = await byUnit("flannel_lease_info");
    for (const [i, name] of names.entries()) {
      expect(ready[name]).toMatchObject({ metric: { reason: "none" }, value: 1 });
      expect(info[name]?.metric).toMatchObject({
        subnet: subnets[i]?.replace(/\.1\//, ".0/"),
        network: "10.10.0.0/16",
        backend: "udp",
        instance: `198.51.100.${11 + i}:9100`,
      });
    }
    const values = async (expr: string) => (await prom().query(expr)).map((s) => s.value);
    expect(await values("flannel_overlay_mtu_bytes")).toEqual([1472, 1472, 1472]);
    expect(await values("flannel_flanneld_up")).toEqual([1, 1, 1]);
    expect(await values("flannel_flanneld_restarts_total")).toEqual([0, 0, 0]);
    expect(await values("flannel_lease_present")).toEqual([1, 1, 1]);
    expect(await values("flannel_network_leases")).toEqual([3, 3, 3]);
    expect(await values("flannel_network_lease_capacity")).toEqual([255, 255, 255]);
    expect(await values("flannel_etcd_up")).toEqual([1, 1, 1]);
    for (const expiry of await values("flannel_lease_expiry_seconds")) {
      expect(expiry).toBeGreaterThan(80_000);
      expect(expiry).toBeLessThanOrEqual(86_400);
    }
    for (const start of await values("time() - flannel_flanneld_start_time_seconds")) {
      expect(start).toBeGreaterThan(0);
      expect(start).toBeLessThan(600);
    }
    const reachable = await prom().query("flannel_peer_reachable");
    expect(pairsOf(reachable)).toEqual(allPairs());
    for (const sample of reachable) {
      const peer = names.indexOf(sample.metric.peer ?? "");
      expect(sample.metric.peer_subnet).toBe(subnets[peer]?.replace(/\.1\//, ".0/"));
    }
    expect(await values("flannel_peer_loss_ratio")).toEqual([0, 0, 0, 0, 0, 0]);
    for (const rtt of await values("flannel_peer_rtt_seconds")) expect(rtt).toBeGreaterThan(0);
  });

  it("every PromQL expression of the dashboard returns series from this Prometheus", async () => {
    const dashboard = JSON.parse(await readFile(DASHBOARD_FILE, "utf8")) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((panel) =>
      panel.targets.map((t) => [panel.title, t.expr] as const),
    );
    expect(exprs.length).toBeGreaterThanOrEqual(10);
    const empty: string[] = [];
    for (const [title, expr] of exprs)
      if ((await prom().query(expr)).length === 0) empty.push(`${title}: ${expr}`);
    expect(empty).toEqual([]);
  });

  it("cos-agent: the unit writes the library's config, whose scrape job reaches the figures on the machine", async () => {
    const unit = units[0] as CharmUnit;
    const json = JSON.stringify({ interface: "cos_agent", remoteUnits: { "grafana-agent/0": {} } });
    assertHooksSucceeded(
      await unit.operate("relate", "--name", "cos-agent", "--remote-app", "grafana-agent", "--json", json),
    );
    const relation = (await unit.readModel()).relations.find((r) => r.name === "cos-agent");
    const config = JSON.parse(relation?.localUnitData.config ?? "{}");
    expect(config.metrics_alert_rules.groups.map((g: { name: string }) => g.name)).toEqual([
      expect.stringMatching(/_flannel_flannel_rules$/),
      expect.stringMatching(/_flannel_HostHealth_rules$/),
    ]);
    expect(config.dashboards).toHaveLength(1);
    const [job] = config.metrics_scrape_jobs;
    expect(job.job_name).toMatch(/^flannel_default_[0-9a-f]{8}$/);
    // What the subordinate collector on this machine would scrape: the charm's figures are there.
    const target = job.static_configs[0].targets[0];
    const scraped = await unit.machine.run(["curl", "-sf", `http://${target}${job.metrics_path}`]);
    expect(scraped).toMatch(/^flannel_ready\{reason="none",unit="flannel\/0"\} 1$/m);
  });

  it("m3's overlay cut on the underlay: exactly its 4 pairs go to 0 within 60 s, the alert selects them, healed back to 1", async () => {
    const m3 = world.machine("m3");
    const cut = [
      "flannel/0->flannel/2",
      "flannel/1->flannel/2",
      "flannel/2->flannel/0",
      "flannel/2->flannel/1",
    ];
    const rules = await readFile(RULES_FILE, "utf8");
    const alertExpr = /alert: FlannelPeerUnreachable\n\s+expr: (.+)\n/.exec(rules)?.[1] ?? "";
    expect(alertExpr).toBe("flannel_peer_reachable == 0");
    await m3.setUdpCut(UDP_PORT, true);
    const started = Date.now();
    try {
      await prom().waitUntil(
        async () => pairsOf(await prom().query(alertExpr)).join() === cut.join(),
        DETECT_MS,
      );
      console.log(
        `flannel_peer_reachable went to 0 for the cut pairs ${((Date.now() - started) / 1000).toFixed(1)} s after the cut`,
      );
      expect(pairsOf(await prom().query("flannel_peer_reachable == 1"))).toEqual([
        "flannel/0->flannel/1",
        "flannel/1->flannel/0",
      ]);
      // The alert itself, as Prometheus evaluates the loaded rule (pending: its 2 minutes have not passed).
      await prom().waitUntil(
        async () =>
          pairsOf(await prom().query('ALERTS{alertname="FlannelPeerUnreachable"}')).join() === cut.join(),
        15_000,
      );
      expect(await prom().query('flannel_ready{reason!="none"}')).toEqual([]);
    } finally {
      await m3.setUdpCut(UDP_PORT, false);
    }
    await prom().waitUntil(
      async () => (await prom().query("flannel_peer_reachable == 1")).length === 6,
      DETECT_MS,
    );
    expect(await prom().query("flannel_peer_reachable == 0")).toEqual([]);
  });
});
