// Control-plane cost on a ready unit: ./health and no-op hooks against a bare `node -e 0` on the same
// machine, and how many etcd RPCs a no-op hook makes.
import { execa } from "execa";
import type { Cluster } from "./cluster";
import { ratio, round } from "./stats";

const PROBE_GUEST = "/var/lib/flannel-bench/probe-startup.mjs";
/** The machine's unit agent, reached through its jujuc client as the tests' operator reaches it. */
const OPERATOR = "/var/lib/juju-emulator/juju-emulator";
const AGENT_ENV = [
  "JUJU_AGENT_SOCKET_ADDRESS=/var/lib/juju-emulator/agent.socket",
  "JUJU_AGENT_SOCKET_NETWORK=unix",
];
const MODEL = "/var/lib/juju-emulator/model.json";

export interface ControlFigures {
  node_floor_ms: number;
  health_ms: number;
  health_over_node: number;
  /** Emulated update-status and no-op config-changed on a ready unit, emulator included. */
  noop_hooks: Record<string, { ms: number; over_node: number; etcd_rpcs: number }>;
}

/** Medians of `runs` alternating runs of node -e 0, ./health and the no-op hooks, on unit 0's machine. */
export async function measureControl(cluster: Cluster, runs: number): Promise<ControlFigures> {
  const unit = cluster.units[0];
  if (!unit) throw new Error("no unit");
  await unit.machine.copyIn(new URL("./probe-startup.mjs", import.meta.url).pathname, PROBE_GUEST);
  const operate = (op: string) => [
    "env",
    ...AGENT_ENV,
    OPERATOR,
    op,
    "--model",
    MODEL,
    "--charm-dir",
    unit.charmDir,
  ];
  const startup = await probe(cluster, runs, { node: ["node", "-e", "0"], health: ["./health"] });
  const noop_hooks: ControlFigures["noop_hooks"] = {};
  for (const [name, argv] of [
    ["update-status", operate("update-status")],
    ["config-changed (no-op)", operate("config")],
  ] as const) {
    const before = await etcdRpcCount(cluster);
    const figures = await probe(cluster, Math.ceil(runs / 3), { node: ["node", "-e", "0"], hook: argv });
    const rpcs = (await etcdRpcCount(cluster)) - before;
    noop_hooks[name] = {
      ms: round(figures.hook),
      over_node: ratio(figures.hook, figures.node),
      etcd_rpcs: rpcs,
    };
  }
  return {
    node_floor_ms: round(startup.node),
    health_ms: round(startup.health),
    health_over_node: ratio(startup.health, startup.node),
    noop_hooks,
  };
}

async function probe(cluster: Cluster, runs: number, cases: Record<string, string[]>) {
  const unit = cluster.units[0];
  if (!unit) throw new Error("no unit");
  const stdout = await unit.machine.run(
    ["node", PROBE_GUEST, String(runs), unit.charmDir, JSON.stringify(cases)],
    { direct: true },
  );
  return JSON.parse(stdout) as Record<string, number>;
}

/** gRPC calls etcd has started so far (flanneld's long-lived watches started long before). */
export async function etcdRpcCount(cluster: Cluster): Promise<number> {
  const netns = `/run/netns/fcw-${cluster.world.id}-etcd`;
  const url = `${cluster.world.etcd.endpoint}/metrics`;
  const { stdout } = await execa("nsenter", [`--net=${netns}`, "--", "busybox", "wget", "-qO-", url]);
  return stdout
    .split("\n")
    .filter((line) => line.startsWith("grpc_server_started_total{"))
    .reduce((sum, line) => sum + Number(line.split(" ").pop()), 0);
}
