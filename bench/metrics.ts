// What flannel-metrics.timer costs a machine: the CPU time of one collection (systemd's own accounting of
// the service's run, ping children included), times the 120 runs an hour, set against the same
// machine's whole CPU time per hour with the timer stopped (idle: flanneld, systemd, node-exporter).
import { readFile } from "node:fs/promises";
import { PeerMesh } from "../test/support/peer-mesh";
import type { Machine } from "../test/world/machine";
import type { Cluster } from "./cluster";
import { median, round } from "./stats";

const RUNS_PER_HOUR = 3600 / 30;

export interface MetricsFigures {
  metrics_collect_cpu_ms: number;
  metrics_collect_wall_ms: number;
  metrics_timer_cpu_s_per_hour: number;
  machine_idle_cpu_s_per_hour: number;
  /** The timer's CPU over the idle machine's. */
  metrics_timer_over_idle: number;
  metrics_peers_probed: number;
}

/** Unit 0's collection measured `runs` times, and its machine's idle CPU over `idleSeconds`. */
export async function measureMetrics(
  cluster: Cluster,
  runs: number,
  idleSeconds = 60,
): Promise<MetricsFigures> {
  const unit = cluster.units[0];
  if (!unit) throw new Error("no unit");
  await new PeerMesh().join(...cluster.units);
  const { machine } = unit;
  const command = /^ExecStart=(.+)$/m.exec(
    await machine.readFile("/etc/systemd/system/flannel-metrics.service"),
  )?.[1];
  if (!command) throw new Error("flannel-metrics.service has no ExecStart");
  await machine.run(["systemctl", "stop", "flannel-metrics.timer"]);
  try {
    const idle = await machineCpuSeconds(machine, idleSeconds);
    const samples: { cpuMs: number; wallMs: number }[] = [];
    for (let i = 0; i < runs; i++) samples.push(await collectOnce(machine, command.split(" ")));
    const cpuMs = median(samples.map((s) => s.cpuMs));
    const perHour = (cpuMs / 1000) * RUNS_PER_HOUR;
    const idlePerHour = (idle / idleSeconds) * 3600;
    const textfile = await machine.readFile("/var/lib/prometheus/node-exporter/flannel.prom");
    return {
      metrics_collect_cpu_ms: round(cpuMs),
      metrics_collect_wall_ms: round(median(samples.map((s) => s.wallMs))),
      metrics_timer_cpu_s_per_hour: round(perHour),
      machine_idle_cpu_s_per_hour: round(idlePerHour),
      metrics_timer_over_idle: round(perHour / idlePerHour, 2),
      metrics_peers_probed: Number(/^flannel_peers\{[^}]*\} (\d+)$/m.exec(textfile)?.[1] ?? 0),
    };
  } finally {
    await machine.run(["systemctl", "start", "flannel-metrics.timer"]);
  }
}

// As the timer runs it: a transient service with CPU accounting, whose summary systemd-run prints.
async function collectOnce(machine: Machine, argv: string[]): Promise<{ cpuMs: number; wallMs: number }> {
  const result = await machine.exec([
    "systemd-run",
    "--wait",
    "-p",
    "CPUAccounting=yes",
    "-p",
    "Nice=10",
    ...argv,
  ]);
  const cpu = /CPU time consumed: ([\d.]+)(ms|s|us)/.exec(result.stderr);
  const wall = /Service runtime: ([\d.]+)(ms|s|us)/.exec(result.stderr);
  if (result.exitCode !== 0 || !cpu || !wall) throw new Error(`collection failed: ${result.stderr}`);
  return { cpuMs: toMs(cpu[1], cpu[2]), wallMs: toMs(wall[1], wall[2]) };
}

function toMs(value: string | undefined, unit: string | undefined): number {
  const n = Number(value);
  return unit === "s" ? n * 1000 : unit === "us" ? n / 1000 : n;
}

/** The machine's whole cgroup CPU time (cgroup2 cpu.stat usage_usec) spent over `seconds`. */
async function machineCpuSeconds(machine: Machine, seconds: number): Promise<number> {
  const pid = machine.leaderPid;
  if (pid === undefined) throw new Error(`${machine.name} is not running`);
  const own = /^0::(.*)$/m.exec(await readFile(`/proc/${pid}/cgroup`, "utf8"))?.[1] ?? "";
  const root = own.replace(/\/init\.scope$/, "");
  const statPath = `/sys/fs/cgroup/unified${root}/cpu.stat`;
  const usage = async () => Number(/^usage_usec (\d+)$/m.exec(await readFile(statPath, "utf8"))?.[1]);
  const before = await usage();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return ((await usage()) - before) / 1e6;
}
