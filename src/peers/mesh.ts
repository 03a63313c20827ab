/** A peer to probe: its unit, its lease and the overlay address it answers on. */
export interface ProbeTarget {
  readonly unit: string;
  readonly subnet?: string;
  readonly address?: string;
}

export interface ProbeResult extends ProbeTarget {
  readonly sent: number;
  readonly received: number;
  /** Average round trip in ms; undefined without replies. */
  readonly rttMs?: number;
  readonly reachable: boolean;
  /** Why the peer could not be probed at all (no address published, no ping program). */
  readonly problem?: string;
}

/** Runs ping and returns its exit code and output; injectable for tests. */
export type Pinger = (args: readonly string[]) => Promise<{ exitCode: number; output: string }>;

const COUNT = 3;
// Three echoes 0.2 s apart, each peer's ping ends within 3 s (-w): all peers probed in parallel stay
// under 5 s however many there are; the process timeout only catches a ping that ignores -w.
const PING_ARGS = ["-q", "-c", String(COUNT), "-i", "0.2", "-W", "1", "-w", "3"];
const PING_TIMEOUT_MS = 4_500;

/** Probes every target in parallel through the overlay; one result per target, in the given order. */
export async function probePeers(
  targets: readonly ProbeTarget[],
  ping: Pinger = busyboxPing,
): Promise<ProbeResult[]> {
  return Promise.all(targets.map((target) => probeOne(target, ping)));
}

async function probeOne(target: ProbeTarget, ping: Pinger): Promise<ProbeResult> {
  if (target.address === undefined) {
    return { ...target, sent: 0, received: 0, reachable: false, problem: "no overlay address published" };
  }
  const { output } = await ping([...PING_ARGS, target.address]);
  const counts = parsePingOutput(output);
  if (counts === undefined) {
    const problem = `ping failed: ${output.trim().split("\n").at(-1) || "no output"}`;
    return { ...target, sent: 0, received: 0, reachable: false, problem };
  }
  return { ...target, ...counts, reachable: counts.received > 0 };
}

/** Reads busybox's or iputils' summary: "3 packets transmitted, 3 (packets) received" and the rtt line. */
export function parsePingOutput(
  output: string,
): { sent: number; received: number; rttMs?: number } | undefined {
  const counts = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(output);
  if (!counts) return undefined;
  const avg = /min\/avg\/max(?:\/mdev)? = [\d.]+\/([\d.]+)\//.exec(output)?.[1];
  const result = { sent: Number(counts[1]), received: Number(counts[2]) };
  return avg === undefined ? result : { ...result, rttMs: Number(avg) };
}

/** busybox ping (every machine of these bases has busybox), else iputils' ping. */
export const busyboxPing: Pinger = async (args) => {
  const result = await run("busybox", ["ping", ...args]);
  if (result.exitCode !== 127 && !/applet not found/.test(result.output)) return result;
  return run("ping", [...args]);
};

// node:child_process rather than execa, and loaded on first use: ./health bundles this module for
// `--peers`, and its plain report must start light.
async function run(file: string, args: readonly string[]): Promise<{ exitCode: number; output: string }> {
  const { execFile } = await import("node:child_process");
  return new Promise((resolve) => {
    execFile(file, [...args], { timeout: PING_TIMEOUT_MS, encoding: "utf8" }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 127;
      resolve({ exitCode: code, output: `${stdout ?? ""}${stderr ?? ""}` });
    });
  });
}

/** One line per peer, as `./health --peers` prints it. */
export function renderProbeLine(result: ProbeResult): string {
  const fields = [
    result.unit,
    `subnet:${result.subnet ?? "unknown"}`,
    `address:${result.address ?? "unknown"}`,
    `sent:${result.sent}`,
    `received:${result.received}`,
    `rtt:${result.rttMs === undefined ? "-" : `${result.rttMs.toFixed(2)}ms`}`,
    result.reachable ? "reachable" : "unreachable",
  ];
  return result.problem
    ? `${fields.join(" ")} problem:${result.problem.replaceAll(" ", "-")}`
    : fields.join(" ");
}

/** Juju action results: one mapping per peer, keyed by the unit name with "/" as "-" (flannel-1.rtt-ms). */
export function renderActionResults(results: readonly ProbeResult[]): Record<string, string> {
  const out: Record<string, string> = { peers: String(results.length) };
  for (const result of results) {
    const key = result.unit.replace("/", "-");
    Object.assign(out, {
      [`${key}.unit`]: result.unit,
      [`${key}.subnet`]: result.subnet ?? "unknown",
      [`${key}.address`]: result.address ?? "unknown",
      [`${key}.sent`]: String(result.sent),
      [`${key}.received`]: String(result.received),
      [`${key}.rtt-ms`]: result.rttMs === undefined ? "none" : result.rttMs.toFixed(2),
      [`${key}.status`]: result.reachable ? "reachable" : "unreachable",
    });
    if (result.problem) out[`${key}.problem`] = result.problem;
  }
  return out;
}

/** The action-fail message naming every unreachable peer; undefined when all answered. */
export function describeUnreachable(results: readonly ProbeResult[]): string | undefined {
  const bad = results.filter((result) => !result.reachable);
  if (bad.length === 0) return undefined;
  const names = bad.map((result) => `${result.unit} (${result.address ?? "no address"})`);
  return `unreachable through the overlay: ${names.join(", ")}`;
}
