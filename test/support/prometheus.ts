// Debian's real Prometheus for booted worlds: run inside the world's etcd namespace (on the underlay, so it
// reaches every machine and nothing else), scraping each machine's node-exporter, with the charm's alert
// rules loaded. Queried with curl from the same namespace; stopped by its PID.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { worldDir } from "../world/leftovers";
import { runHost } from "../world/run";
import type { World } from "../world/world";
import { REPO_ROOT } from "./paths";

export const RULES_FILE = join(REPO_ROOT, "src/prometheus_alert_rules/flannel.rules");
const LISTEN = "127.0.0.1:9090";
/** Every 5 s: the textfile changes every 30 s, so a scrape sees a new collection within 35 s. */
const SCRAPE_SECONDS = 5;

export interface Sample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

export class Prometheus {
  private constructor(
    private readonly netns: string,
    private readonly process: ResultPromise,
  ) {}

  /** Starts Prometheus in the world's etcd namespace, scraping node-exporter (:9100) on every machine. */
  static async start(world: World): Promise<Prometheus> {
    const dir = join(worldDir(world.id), "prometheus");
    await mkdir(join(dir, "data"), { recursive: true });
    const config = join(dir, "prometheus.yml");
    await writeFile(config, renderConfig(world));
    const netns = `fcw-${world.id}-etcd`;
    const args = [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=${LISTEN}`,
      "--log.level=warn",
    ];
    const child = execa("ip", ["netns", "exec", netns, "prometheus", ...args], { reject: false, all: true });
    const prometheus = new Prometheus(netns, child);
    try {
      await prometheus.waitUntil(
        async () => (await prometheus.query("up")).length === world.machines.length,
        60_000,
      );
    } catch (error) {
      await prometheus.stop();
      throw error;
    }
    return prometheus;
  }

  /** An instant query; the samples of its vector. */
  async query(expr: string): Promise<Sample[]> {
    const out = await runHost([
      "ip",
      "netns",
      "exec",
      this.netns,
      "curl",
      "-sf",
      "--max-time",
      "10",
      `http://${LISTEN}/api/v1/query`,
      "--data-urlencode",
      `query=${expr}`,
    ]);
    const body = JSON.parse(out) as {
      status: string;
      data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    if (body.status !== "success") throw new Error(`query ${expr} failed: ${out}`);
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  /** Polls until `check` holds; throws with the last error after `timeoutMs`. */
  async waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      try {
        if (await check()) return;
      } catch (error) {
        last = error;
      }
      if (Date.now() > deadline)
        throw new Error(`Prometheus: condition not met in ${timeoutMs / 1000} s`, { cause: last });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }

  /** Stops the process this started (by its PID), and waits for it. */
  async stop(): Promise<void> {
    this.process.kill("SIGTERM");
    const timer = setTimeout(() => this.process.kill("SIGKILL"), 10_000);
    await this.process;
    clearTimeout(timer);
  }
}

function renderConfig(world: World): string {
  const targets = world.machines.map((m) => `"${m.address}:9100"`).join(", ");
  return [
    "global:",
    `  scrape_interval: ${SCRAPE_SECONDS}s`,
    `  evaluation_interval: ${SCRAPE_SECONDS}s`,
    "rule_files:",
    `  - ${RULES_FILE}`,
    "scrape_configs:",
    "  - job_name: node",
    "    static_configs:",
    `      - targets: [${targets}]`,
    "",
  ].join("\n");
}
