// The data plane of one backend on 2 machines: iperf3 throughput and ping RTT, machine→machine over the
// underlay and the overlay and container→container, each as a ratio to the underlay of the same run;
// and packets lost by a container ping while no-op hooks run on both ends.
import type { Container } from "../test/support/overlay";
import { inContainer } from "../test/support/overlay";
import type { Machine } from "../test/world/world";
import { bridgeAddress, type Cluster, startContainers } from "./cluster";
import { median, ratio, round } from "./stats";

const IPERF_SECONDS = 3;
const PINGS = 30;
const NOOP_HOOKS = 20;

export interface NetworkFigures {
  throughput: Record<string, unknown>;
  rtt: Record<string, unknown>;
  noop_hook_loss: { sent: number; lost: number; hooks_per_unit: number };
}

interface Path {
  name: "underlay" | "machine" | "container" | "kernel_vxlan";
  from: Machine;
  /** argv prefix that puts iperf3/ping into the source's network namespace. */
  enter: (argv: string[]) => string[];
  to: string;
}

/** Every figure of this cluster's backend. */
export async function measureNetwork(cluster: Cluster, runs: number): Promise<NetworkFigures> {
  const [m1, m2] = cluster.world.machines;
  if (!m1 || !m2) throw new Error("2 machines expected");
  const [c1, c2] = await startContainers(cluster);
  if (!c1 || !c2) throw new Error("2 containers expected");
  const paths: Path[] = [
    { name: "underlay", from: m1, enter: (argv) => argv, to: m2.address },
    { name: "machine", from: m1, enter: (argv) => argv, to: bridgeAddress(cluster, 1) },
    { name: "container", from: m1, enter: (argv) => inContainer(c1, argv), to: c2.address },
  ];
  // vxlan's yardstick: the kernel's own VXLAN between the same machines, built by hand beside flannel's.
  if (cluster.backend === "vxlan") {
    await buildKernelVxlan(m1, m2);
    paths.push({ name: "kernel_vxlan", from: m1, enter: (argv) => argv, to: KERNEL_VXLAN.address(2) });
  }
  await startIperfServers(m2, c2);
  const throughput = await measureThroughput(cluster, paths, Math.max(3, Math.ceil(runs / 5)));
  const rtt = await measureRtt(paths);
  const noop_hook_loss = await measureNoopHookLoss(cluster, c1, c2.address);
  return { throughput, rtt, noop_hook_loss };
}

/** A hand-built VXLAN link: its own VNI, port and addresses (inside the machines only), flannel's MTU rule. */
const KERNEL_VXLAN = {
  device: "benchvx0",
  vni: "4242",
  port: "4789",
  address: (n: 1 | 2) => `10.77.0.${n}`,
};

async function buildKernelVxlan(m1: Machine, m2: Machine) {
  for (const [self, peer, n] of [[m1, m2, 1] as const, [m2, m1, 2] as const]) {
    const route = await self.run(["ip", "-o", "route", "get", peer.address], { direct: true });
    const dev = /\bdev (\S+)/.exec(route)?.[1];
    if (!dev) throw new Error(`no route to ${peer.address}: ${route}`);
    const mtu = Number(await self.run(["cat", `/sys/class/net/${dev}/mtu`], { direct: true })) - 50;
    const { device, vni, port } = KERNEL_VXLAN;
    const link = ["type", "vxlan", "id", vni, "dstport", port, "local", self.address, "remote", peer.address];
    await self.run(["ip", "link", "add", device, ...link, "dev", dev], { direct: true });
    await self.run(["ip", "addr", "add", `${KERNEL_VXLAN.address(n)}/30`, "dev", device], { direct: true });
    await self.run(["ip", "link", "set", device, "mtu", String(mtu), "up"], { direct: true });
  }
}

async function startIperfServers(m2: Machine, c2: Container) {
  await m2.run(["systemd-run", "--unit=bench-iperf", "iperf3", "-s"], { direct: true });
  // The machine's iperf3 in the container's network namespace: the container image has no iperf3.
  const pid = (await m2.run(["lxc-info", "-n", c2.name, "-pH"], { direct: true })).trim();
  await m2.run(["systemd-run", "--unit=bench-iperf-c", "nsenter", "-t", pid, "-n", "iperf3", "-s"], {
    direct: true,
  });
}

/** Alternating rounds over the paths; medians in Gbit/s and ratios to the underlay. */
async function measureThroughput(cluster: Cluster, paths: Path[], rounds: number) {
  const samples: Record<Path["name"], number[]> = {
    underlay: [],
    machine: [],
    container: [],
    kernel_vxlan: [],
  };
  const udp = {
    packets_per_s: [] as number[],
    flanneld_cpu_sender: [] as number[],
    flanneld_cpu_receiver: [] as number[],
  };
  for (let i = 0; i < rounds; i++) {
    for (const path of paths) {
      const before =
        cluster.backend === "udp" && path.name === "machine" ? await udpCounters(cluster) : undefined;
      const { gbits, seconds } = await iperf(path);
      samples[path.name].push(gbits);
      if (before) {
        // Per second of the transfer itself: reading the counters takes seconds on a loaded host.
        const after = await udpCounters(cluster);
        udp.packets_per_s.push((after.txPackets - before.txPackets) / seconds);
        udp.flanneld_cpu_sender.push((after.cpu[0] - before.cpu[0]) / 100 / seconds);
        udp.flanneld_cpu_receiver.push((after.cpu[1] - before.cpu[1]) / 100 / seconds);
      }
    }
  }
  const underlay = median(samples.underlay);
  const figures: Record<string, unknown> = {
    underlay_gbit_s: round(underlay, 2),
    machine_gbit_s: round(median(samples.machine), 2),
    machine_over_underlay: ratio(median(samples.machine), underlay),
    container_gbit_s: round(median(samples.container), 2),
    container_over_underlay: ratio(median(samples.container), underlay),
    rounds,
  };
  if (samples.kernel_vxlan.length > 0) {
    const kernel = median(samples.kernel_vxlan);
    figures.kernel_vxlan_gbit_s = round(kernel, 2);
    figures.kernel_vxlan_over_underlay = ratio(kernel, underlay);
    figures.machine_over_kernel_vxlan = ratio(median(samples.machine), kernel);
  }
  if (cluster.backend === "udp") {
    figures.flannel0_packets_per_s = Math.round(median(udp.packets_per_s));
    figures.flanneld_cpu_share_sender = round(median(udp.flanneld_cpu_sender), 2);
    figures.flanneld_cpu_share_receiver = round(median(udp.flanneld_cpu_receiver), 2);
  }
  return figures;
}

async function iperf(path: Path): Promise<{ gbits: number; seconds: number }> {
  const argv = path.enter(["iperf3", "-c", path.to, "-t", String(IPERF_SECONDS), "-J"]);
  // iperf3 runs from the machine even for a container: lxc-attach would find no iperf3 inside.
  const command = argv[0] === "lxc-attach" ? nsenterInto(path, argv) : argv;
  const report = JSON.parse(await path.from.run(await command, { direct: true }));
  const received = report.end.sum_received;
  return { gbits: received.bits_per_second / 1e9, seconds: received.seconds };
}

async function nsenterInto(path: Path, argv: string[]): Promise<string[]> {
  const name = argv[2] ?? "";
  const pid = (await path.from.run(["lxc-info", "-n", name, "-pH"], { direct: true })).trim();
  return ["nsenter", "-t", pid, "-n", ...argv.slice(argv.indexOf("--") + 1)];
}

/** flannel0's sent packets on m1 and flanneld's CPU ticks (1/100 s) on m1 and m2. */
async function udpCounters(cluster: Cluster) {
  const [m1, m2] = cluster.world.machines as [Machine, Machine];
  const ticks = async (m: Machine) => {
    const script = 'pid=$(systemctl show -p MainPID --value flannel); cut -d" " -f14,15 "/proc/$pid/stat"';
    const [user, system] = (await m.run(["sh", "-c", script], { direct: true })).trim().split(" ");
    return Number(user) + Number(system);
  };
  const tx = await m1.run(["cat", "/sys/class/net/flannel0/statistics/tx_packets"], { direct: true });
  return { txPackets: Number(tx), cpu: [await ticks(m1), await ticks(m2)] as const };
}

/** busybox ping RTT per path; ratios to the underlay. */
async function measureRtt(paths: Path[]) {
  const rtts: Record<string, number> = {};
  for (const path of paths) {
    const argv = path.enter(["busybox", "ping", "-c", String(PINGS), "-i", "0.05", "-W", "3", path.to]);
    const output = await path.from.run(argv, { direct: true });
    rtts[path.name] = Number(/min\/avg\/max = [\d.]+\/([\d.]+)\//.exec(output)?.[1]);
  }
  const underlay = rtts.underlay ?? Number.NaN;
  return {
    underlay_ms: round(underlay, 3),
    machine_ms: round(rtts.machine ?? Number.NaN, 3),
    machine_over_underlay: ratio(rtts.machine ?? Number.NaN, underlay),
    container_ms: round(rtts.container ?? Number.NaN, 3),
    container_over_underlay: ratio(rtts.container ?? Number.NaN, underlay),
  };
}

/** A 20 ms container ping runs while both units take NOOP_HOOKS no-op hooks; counts what it lost. */
async function measureNoopHookLoss(cluster: Cluster, from: Container, to: string) {
  const start = `busybox ping -i 0.02 -W 1 ${to} >/tmp/bench-loss.out 2>&1 & echo $! >/tmp/bench-loss.pid`;
  await from.machine.run(inContainer(from, ["sh", "-c", start]), { direct: true });
  await Promise.all(
    cluster.units.map(async (unit) => {
      for (let i = 0; i < NOOP_HOOKS / 2; i++) {
        await unit.configure({});
        await unit.updateStatus();
      }
    }),
  );
  // SIGINT makes ping print its statistics; the last echo gets its 1 s to come back first.
  const stop = 'sleep 1; kill -INT "$(cat /tmp/bench-loss.pid)"; sleep 1; cat /tmp/bench-loss.out';
  const output = await from.machine.run(inContainer(from, ["sh", "-c", stop]), { direct: true });
  const match = /(\d+) packets transmitted, (\d+) packets received/.exec(output);
  if (!match) throw new Error(`no ping statistics: ${output.slice(-300)}`);
  const [sent, received] = [Number(match[1]), Number(match[2])];
  return { sent, lost: sent - received, hooks_per_unit: NOOP_HOOKS };
}
