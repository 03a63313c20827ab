// Where a hook's time goes, on a booted machine with a ready unit (real etcd, real flanneld): the cost of
// one hook-tool call beside a bare `node -e 0` on the same machine, and per hook its wall time split into
// hook-tool time, the charm's waits (systemctl, etcd, flanneld's lease: the charm's own FLANNEL_CHARM_TRACE
// spans) and the rest, the charm's own time. Figures, not assertions: they vary with the host.
//   npm run bench -- seam
import {
  assertHooksSucceeded,
  CharmUnit,
  type HookRun,
  legacyEtcdData,
  type OperationResult,
} from "../test/support/charm-unit";
import { World } from "../test/world/world";

export type BenchHook = "install" | "config-changed" | "update-status" | "etcd-relation-changed";

export interface HookSplit {
  wall_ms: number;
  /** wall − tools − waits: the charm's own work (Node startup included). */
  charm_ms: number;
  /** Time inside hook-tool calls (overlapping calls counted once). */
  tools_ms: number;
  /** systemctl, etcd and lease waits, as the charm timed them. */
  waits_ms: number;
  tool_calls: number;
  /** wall_ms as a multiple of node_floor_ms. */
  over_node: number;
}

export interface SeamFigures {
  node_floor_ms: number;
  tool_call_ms: number;
  hooks: Record<BenchHook, HookSplit>;
}

const CALLS = 21;

// Runs inside the machine in a `juju exec` context: times `node -e 0` and `config-get --format=json`
// alternately and prints the medians.
const TIMER = `
const { spawnSync } = require("node:child_process");
const runs = Number(process.argv[1]);
const time = (file, args) => {
  const started = process.hrtime.bigint();
  const result = spawnSync(file, args, { stdio: ["ignore", "pipe", "pipe"] });
  if (result.status !== 0) throw new Error(file + " failed: " + result.stderr);
  return Number(process.hrtime.bigint() - started) / 1e6;
};
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const node = [], tool = [];
for (let i = 0; i < runs; i++) {
  node.push(time(process.execPath, ["-e", "0"]));
  tool.push(time("config-get", ["--format=json"]));
}
console.log(JSON.stringify({ node: median(node), tool: median(tool) }));
`;

const round = (ms: number) => Math.round(ms * 10) / 10;

/** Total time covered by the calls' [start, end) intervals. */
function coveredMs(calls: NonNullable<HookRun["calls"]>): number {
  const spans = calls.map((c) => [c.atMs, c.atMs + c.ms] as const).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const [from, to] of spans) {
    if (to <= end) continue;
    total += to - Math.max(from, end);
    end = to;
  }
  return total;
}

function split(hook: HookRun, nodeFloor: number): HookSplit {
  const calls = hook.calls ?? [];
  const wall = hook.durationMs ?? 0;
  const tools = coveredMs(calls);
  const waits = (hook.spans ?? []).reduce((sum, span) => sum + span.ms, 0);
  return {
    wall_ms: round(wall),
    charm_ms: round(Math.max(wall - tools - waits, 0)),
    tools_ms: round(tools),
    waits_ms: round(waits),
    tool_calls: calls.length,
    over_node: Math.round((wall / nodeFloor) * 100) / 100,
  };
}

function pick(result: OperationResult, hook: BenchHook): HookRun {
  assertHooksSucceeded(result, hook);
  const found = result.hooks.find((h) => h.hook === hook);
  if (!found) throw new Error(`no ${hook} hook in ${result.hooks.map((h) => h.hook).join(", ")}`);
  return found;
}

async function measureCalls(unit: CharmUnit): Promise<{ node: number; tool: number }> {
  const result = await unit.operate("exec", "--", "node", "-e", TIMER, String(CALLS));
  assertHooksSucceeded(result, "timer");
  return JSON.parse(result.hooks[0]?.stdout ?? "") as { node: number; tool: number };
}

/** Boots one machine, makes a unit ready over a real etcd and flanneld, and measures the seam. */
export async function benchSeam(): Promise<SeamFigures> {
  const world = await World.boot({ machines: 1, docker: false });
  try {
    const unit = await CharmUnit.place(world.machine("m1"), { index: 0 });
    assertHooksSucceeded(await unit.deploy(), "deploy");
    const data = legacyEtcdData("198.51.100.2", 2379);
    const related = await unit.relateEtcd(data);
    assertHooksSucceeded(related, "relate");
    if ((await unit.status()).status !== "active") throw new Error("the unit did not become ready");
    const calls = await measureCalls(unit);
    const deploy = await unit.operate("deploy", "--trace");
    const updateStatus = await unit.operate("update-status", "--trace");
    const id = String(related.relationId);
    const change = ["--relation-id", id, "--unit", "etcd/0", "--data", JSON.stringify(data["etcd/0"])];
    const changed = await unit.operate("remote-change", ...change, "--trace");
    const runs: Record<BenchHook, HookRun> = {
      install: pick(deploy, "install"),
      "config-changed": pick(deploy, "config-changed"),
      "update-status": pick(updateStatus, "update-status"),
      "etcd-relation-changed": pick(changed, "etcd-relation-changed"),
    };
    const hooks = Object.fromEntries(
      Object.entries(runs).map(([name, run]) => [name, split(run, calls.node)]),
    ) as Record<BenchHook, HookSplit>;
    return { node_floor_ms: round(calls.node), tool_call_ms: round(calls.tool), hooks };
  } finally {
    await world.teardown();
  }
}
