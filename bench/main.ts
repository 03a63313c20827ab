// npm run bench [-- SECTION…]          every section, or the named ones; merges into build/bench.json
// npm run bench -- scale --machines N  N booted machines; writes build/scale-N.json
// Figures are ratios measured side by side in one run (never asserted in tests). Run as root.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { Command } from "commander";
import { BACKENDS, type Backend } from "../src/config/charm-config";
import { DEFAULT_BASELINE, packBaseline } from "./baseline";
import { withCluster } from "./cluster";
import { measureControlAgainst } from "./control";
import { measureMetrics } from "./metrics";
import { measureNetwork, type NetworkFigures } from "./network";
import { measureScale } from "./scale";
import { benchSeam } from "./seam";
import { soakFigures } from "./soak";
import { loadAverage, round } from "./stats";

type Figures = Record<string, unknown>;

interface RunOptions {
  runs: number;
  backends: Backend[];
  /** Machine counts for the ready section. */
  sizes: number[];
  /** Seed of the soak section (random when not given). */
  seed?: number;
  /** The git revision whose charm the control section measures beside this one. */
  baseline: string;
}

interface Section {
  name: string;
  what: string;
  run: (options: RunOptions) => Promise<Figures>;
}

// The one list of sections: add a section here and it is selectable, printed and written to bench.json.
const SECTIONS: Section[] = [
  {
    name: "seam",
    what: "hook-tool call vs node -e 0, and each hook's wall time split into charm, tools and waits",
    run: async () => {
      // The control section reports the machine's node floor; this one keeps its own beside its figures.
      const { node_floor_ms, ...figures } = await benchSeam();
      return { ...figures, seam_node_floor_ms: node_floor_ms };
    },
  },
  {
    name: "control",
    what: "node floor, ./health and no-op hooks on a ready unit, beside the baseline revision's charm",
    run: async ({ runs, baseline }) => {
      const charmBuildDirs = { 1: await packBaseline(baseline) };
      const options = { machines: 2, backend: "udp" as const, charmBuildDirs };
      return {
        baseline_revision: baseline,
        // Old and new differ by a few per cent: at least 90 samples, spread over 9 alternating rounds.
        ...(await withCluster(options, (c) => measureControlAgainst(c, Math.max(runs, 90), 9))),
      };
    },
  },
  {
    name: "metrics",
    what: "flannel-metrics.timer's CPU seconds per hour against the same machine idle, 3 machines",
    run: async ({ runs }) => ({
      ...(await withCluster({ machines: 3, backend: "udp" }, (c) => measureMetrics(c, Math.max(runs, 10)))),
    }),
  },
  {
    name: "ready",
    what: "first hook to every unit ready, 3 and 8 machines",
    run: async (options) => {
      const ready_s: Record<string, number> = {};
      const ready_phases_s: Record<string, Record<string, number>> = {};
      for (const machines of options.sizes) {
        const cluster = await withCluster({ machines, backend: "udp" }, async (c) => c);
        ready_s[`${machines}_machines`] = round(cluster.readyMs / 1000);
        ready_phases_s[`${machines}_machines`] = Object.fromEntries(
          Object.entries(cluster.phasesMs).map(([phase, ms]) => [phase, round(ms / 1000)]),
        );
      }
      return { ready_s, ready_phases_s };
    },
  },
  {
    name: "network",
    what: "throughput, rtt and noop_hook_loss per backend, 2 machines",
    run: ({ runs, backends }) => networkFigures(runs, backends),
  },
  {
    name: "soak",
    what: "30-minute randomized soak (issue 19), seed from --seed or random; writes build/soak.json",
    run: ({ seed }) => soakFigures(30, seed),
  },
];

async function networkFigures(runs: number, backends: Backend[]): Promise<Figures> {
  const per: Record<string, NetworkFigures> = {};
  for (const backend of backends)
    per[backend] = await withCluster({ machines: 2, backend }, (c) => measureNetwork(c, runs));
  const pick = <K extends keyof NetworkFigures>(key: K) =>
    Object.fromEntries(Object.entries(per).map(([backend, figures]) => [backend, figures[key]]));
  return { throughput: pick("throughput"), rtt: pick("rtt"), noop_hook_loss: pick("noop_hook_loss") };
}

async function runSections(names: string[], options: RunOptions) {
  const unknown = names.filter((name) => !SECTIONS.some((s) => s.name === name));
  if (unknown.length > 0)
    throw new Error(
      `unknown section ${unknown.join(", ")}; sections: ${SECTIONS.map((s) => s.name).join(", ")}, scale`,
    );
  const chosen = names.length === 0 ? SECTIONS : SECTIONS.filter((s) => names.includes(s.name));
  const figures: Figures = {};
  for (const section of chosen) {
    console.error(`bench: ${section.name}: ${section.what} …`);
    const result = await section.run(options);
    Object.assign(figures, result);
    printTable(section.name, result);
  }
  figures.load_average = await loadAverage();
  await mergeInto("build/bench.json", figures);
}

/** Keeps figures of sections not run this time, so sections can run one at a time. */
async function mergeInto(path: string, figures: Figures) {
  const previous = JSON.parse(await readFile(path, "utf8").catch(() => "{}")) as Figures;
  await mkdir("build", { recursive: true });
  const merged = { ...previous };
  for (const [key, value] of Object.entries(figures)) merged[key] = mergeObjects(previous[key], value);
  await writeFile(path, `${JSON.stringify(merged, null, 2)}\n`);
  console.error(`bench: wrote ${path}`);
}

/** One level deep, so that a run of one backend keeps the others' figures. */
function mergeObjects(before: unknown, after: unknown): unknown {
  const isObject = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v);
  return isObject(before) && isObject(after) ? { ...(before as object), ...(after as object) } : after;
}

/** Flattens nested figures into `key.sub  value` rows. */
export function printTable(title: string, figures: Figures) {
  console.log(`\n== ${title}`);
  const rows: [string, string][] = [];
  const walk = (prefix: string, value: unknown) => {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) walk(prefix ? `${prefix}.${key}` : key, inner);
    } else rows.push([prefix, JSON.stringify(value)]);
  };
  walk("", figures);
  const width = Math.max(...rows.map(([key]) => key.length));
  for (const [key, value] of rows) console.log(`${key.padEnd(width)}  ${value}`);
}

const program = new Command("bench")
  .argument("[sections...]", `sections to run (default all): ${SECTIONS.map((s) => s.name).join(", ")}`)
  .option("--runs <n>", "samples per figure", (v) => Number(v), 15)
  .option("--backends <list>", "backends for the network section", (v) => v.split(",") as Backend[], [
    ...BACKENDS,
  ])
  .option("--sizes <list>", "machine counts for the ready section", (v) => v.split(",").map(Number), [3, 8])
  .option("--seed <n>", "seed of the soak section (default random)", (v) => Number(v))
  .option(
    "--baseline <ref>",
    "git revision whose charm the control section measures beside this one",
    DEFAULT_BASELINE,
  )
  .action(async (names: string[], options: RunOptions) => runSections(names, options));

program
  .command("scale")
  .description("N booted machines with the charm: readiness, memory, etcd growth, cross-host pings")
  .requiredOption("--machines <n>", "how many machines", (v) => Number(v))
  .option("--pings <n>", "random cross-host container pings", (v) => Number(v), 200)
  .action(async (options: { machines: number; pings: number }) => {
    const figures = await measureScale(options.machines, options.pings);
    printTable(`scale ${options.machines}`, figures);
    await mkdir("build", { recursive: true });
    await writeFile(`build/scale-${options.machines}.json`, `${JSON.stringify(figures, null, 2)}\n`);
    console.error(`bench: wrote build/scale-${options.machines}.json`);
  });

await program.parseAsync();
