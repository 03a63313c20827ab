// `npm run bench -- scale --machines N`: the charm on N booted machines. First hook to all ready, memory
// per machine, etcd growth per unit, and a sample of random cross-host container pings.
import type { Container } from "../test/support/overlay";
import { ping } from "../test/support/overlay";
import type { Machine, World } from "../test/world/world";
import { type Cluster, startContainers, withCluster } from "./cluster";
import { raiseHostLimits } from "./host-limits";
import { inBatches, median, round } from "./stats";

// 64 machines on 2 shared cores: the goal is all ready within 10 minutes; allow more to measure.
const READY_TIMEOUT_MS = 30 * 60_000;

/** Every scale figure for N machines. */
export async function measureScale(machines: number, pings: number): Promise<Record<string, unknown>> {
  const restore = await raiseHostLimits();
  try {
    const options = { machines, backend: "udp" as const, readyTimeoutMs: READY_TIMEOUT_MS };
    return await withCluster(options, (cluster) => scaleFigures(cluster, pings));
  } finally {
    await restore();
  }
}

async function scaleFigures(cluster: Cluster, pings: number) {
  const n = cluster.units.length;
  const etcd = await etcdGrowth(cluster.world);
  const memory = await inBatches(cluster.world.machines, memoryOf);
  const containers = await startContainers(cluster);
  const sample = await pingSample(containers, pings);
  const rss = memory.map((m) => m.flanneldRssKiB);
  const total = memory.map((m) => m.machinePssKiB);
  return {
    machines: n,
    ready_s: round(cluster.readyMs / 1000),
    ready_phases_s: Object.fromEntries(
      Object.entries(cluster.phasesMs).map(([phase, ms]) => [phase, round(ms / 1000)]),
    ),
    boot_s: round(cluster.world.timings.bootMs / 1000),
    place_s: round(cluster.placeMs / 1000),
    flanneld_rss_mib: { median: mib(median(rss)), max: mib(Math.max(...rss)) },
    machine_pss_mib: { median: mib(median(total)), max: mib(Math.max(...total)) },
    etcd: { ...etcd, keys_per_unit: round(etcd.keys / n, 2), revision_per_unit: round(etcd.revision / n, 2) },
    pings: sample,
  };
}

function mib(kib: number) {
  return round(kib / 1024, 1);
}

/** Keys under flannel's prefix and etcd's revision, from an etcd that held nothing before the charm. */
async function etcdGrowth(world: World) {
  const keys = await world.etcdctl(["get", "/coreos.com/network", "--prefix", "--keys-only", "-w", "json"]);
  const parsed = JSON.parse(keys.stdout) as { header: { revision: number }; count?: number };
  return { keys: parsed.count ?? 0, revision: parsed.header.revision };
}

// Proportional set size: shared pages (libraries, the image's page cache) split among their users.
const MEMORY_SCRIPT = `pid=$(systemctl show -p MainPID --value flannel)
rss=$(awk '/^VmRSS/ {print $2}' /proc/$pid/status)
pss=0; for f in /proc/[0-9]*/smaps_rollup; do v=$(awk '/^Pss:/ {print $2}' "$f" 2>/dev/null); pss=$((pss + \${v:-0})); done
echo "$rss $pss"`;

async function memoryOf(machine: Machine) {
  const [rss, pss] = (await machine.run(["sh", "-c", MEMORY_SCRIPT], { direct: true })).trim().split(" ");
  return { flanneldRssKiB: Number(rss), machinePssKiB: Number(pss) };
}

/** `count` pings, each from a random container to a random container on another machine. */
async function pingSample(containers: Container[], count: number) {
  const pairs = Array.from({ length: count }, () => randomPair(containers));
  const results = await inBatches(pairs, ([from, to]) => ping(from, to.address, 1));
  const failed = results
    .map((r, i) => ({ r, pair: pairs[i] }))
    .filter(({ r }) => r.replies < 1)
    .map(({ pair }) => `${pair?.[0].machine.name}->${pair?.[1].machine.name}`);
  const rtts = results.flatMap((r) => (r.rttMs === undefined ? [] : [r.rttMs]));
  return { sent: count, answered: count - failed.length, failed, median_rtt_ms: round(median(rtts), 3) };
}

function randomPair(containers: Container[]): [Container, Container] {
  const from = Math.floor(Math.random() * containers.length);
  const to = (from + 1 + Math.floor(Math.random() * (containers.length - 1))) % containers.length;
  return [containers[from] as Container, containers[to] as Container];
}
