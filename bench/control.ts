// Control-plane cost on a ready unit: ./health and no-op hooks against a bare `node -e 0` on the same
// machine, and how many etcd RPCs a no-op hook makes.
import { execa } from "execa";
import type { Cluster } from "./cluster";
import { median, ratio, round } from "./stats";

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

/** Medians of `runs` alternating runs of node -e 0, ./health and the no-op hooks, on one unit's machine. */
export async function measureControl(cluster: Cluster, runs: number, index = 0): Promise<ControlFigures> {
  const unit = cluster.units[index];
  if (!unit) throw new Error(`no unit ${index}`);
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
  const startup = await probe(cluster, index, runs, { node: ["node", "-e", "0"], health: ["./health"] });
  const noop_hooks: ControlFigures["noop_hooks"] = {};
  for (const [name, argv] of [
    ["update-status", operate("update-status")],
    ["config-changed (no-op)", operate("config")],
  ] as const) {
    const before = await etcdRpcCount(cluster);
    const figures = await probe(cluster, index, Math.ceil(runs / 3), {
      node: ["node", "-e", "0"],
      hook: argv,
    });
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

/**
 * This charm (unit 0) and an earlier build (unit 1) on two machines of one world, measured in alternating
 * rounds so that load falls on both alike; each figure over its own machine's node floor, and new over old.
 */
export async function measureControlAgainst(cluster: Cluster, runs: number, rounds = 3) {
  const samples: [ControlFigures[], ControlFigures[]] = [[], []];
  for (let round = 0; round < rounds; round++) {
    for (const index of [0, 1] as const)
      samples[index].push(await measureControl(cluster, Math.ceil(runs / rounds), index));
  }
  const [now, before] = samples.map(medianFigures);
  return {
    ...now,
    baseline: before,
    new_over_baseline: {
      health: ratio(now.health_over_node, before.health_over_node),
      ...Object.fromEntries(
        Object.entries(now.noop_hooks).map(([hook, figures]) => [
          hook,
          ratio(figures.over_node, before.noop_hooks[hook]?.over_node ?? Number.NaN),
        ]),
      ),
    },
  };
}

function medianFigures(all: ControlFigures[]): ControlFigures {
  const pick = (get: (f: ControlFigures) => number) => round(median(all.map(get)), 3);
  const hooks = Object.keys(all[0]?.noop_hooks ?? {});
  return {
    node_floor_ms: pick((f) => f.node_floor_ms),
    health_ms: pick((f) => f.health_ms),
    health_over_node: pick((f) => f.health_over_node),
    noop_hooks: Object.fromEntries(
      hooks.map((hook) => [
        hook,
        {
          ms: pick((f) => f.noop_hooks[hook]?.ms ?? Number.NaN),
          over_node: pick((f) => f.noop_hooks[hook]?.over_node ?? Number.NaN),
          etcd_rpcs: pick((f) => f.noop_hooks[hook]?.etcd_rpcs ?? Number.NaN),
        },
      ]),
    ),
  };
}

async function probe(cluster: Cluster, index: number, runs: number, cases: Record<string, string[]>) {
  const unit = cluster.units[index];
  if (!unit) throw new Error(`no unit ${index}`);
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
