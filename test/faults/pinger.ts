import { execa, type ResultPromise } from "execa";
import type { Container } from "../support/overlay";
import { sleep } from "../support/overlay";

// A continuous busybox ping from a container (or a machine itself) that timestamps every reply as it
// arrives: busybox flushes each line, so arrival times are good to a few milliseconds.

export const PING_INTERVAL_MS = 50;

const GUEST_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export interface Reply {
  seq: number;
  atMs: number;
}

export interface PingLog {
  from: string;
  to: string;
  startedAtMs: number;
  replies: Reply[];
  /** Sent before the first reply after the last gap and never answered (the outage, in packets). */
  lost: number;
  /** The longest run of consecutive packets lost. */
  longestGap: number;
}

/** A ping running in the background until stop(). */
export class Pinger {
  private readonly replies: Reply[] = [];
  private readonly seen = new Set<number>();
  private buffer = "";

  private constructor(
    private readonly from: Container,
    readonly to: string,
    private readonly pidFile: string,
    private readonly child: ResultPromise,
    readonly startedAtMs: number,
  ) {
    child.stdout?.on("data", (chunk: Buffer) => this.onData(chunk.toString()));
  }

  /** Starts pinging `to` every PING_INTERVAL_MS and waits for the first reply. */
  static async start(from: Container, to: string): Promise<Pinger> {
    const leader = from.machine.leaderPid;
    if (!leader) throw new Error(`${from.machine.name} is not running`);
    const pidFile = `/faultping-${to.replaceAll(".", "-")}.pid`;
    const script = `echo $$ >${pidFile}; exec busybox ping -i ${PING_INTERVAL_MS / 1000} ${to}`;
    const inner = inside(from, ["sh", "-c", script]);
    const argv = ["-t", String(leader), "-a", "--", "env", "-i", `PATH=${GUEST_PATH}`, ...inner];
    const child = execa("nsenter", argv, { reject: false, stdin: "ignore", buffer: false });
    const pinger = new Pinger(from, to, pidFile, child, Date.now());
    if (!(await pinger.waitForReplyAfter(pinger.startedAtMs, 30_000))) {
      await pinger.stop();
      throw new Error(`${pinger.label}: no replies before the fault`);
    }
    return pinger;
  }

  get label(): string {
    return `${this.from.machine.name}/${this.from.name} -> ${this.to}`;
  }

  /** Resolves once a reply arrives after `afterMs` and replies then keep coming for `steadyMs`; false on timeout. */
  async waitForReplyAfter(afterMs: number, timeoutMs: number, steadyMs = 1000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const first = this.replies.find((r) => r.atMs >= afterMs);
      const last = this.replies.at(-1);
      if (first && last && last.atMs - first.atMs >= steadyMs && Date.now() - last.atMs < 500) return true;
      await sleep(100);
    }
    return false;
  }

  /** Stops the ping (SIGINT inside the container) and returns every reply with its arrival time. */
  async stop(): Promise<PingLog> {
    const kill = `kill -INT "$(cat ${this.pidFile})"; rm -f ${this.pidFile}`;
    await this.from.machine
      .exec(inside(this.from, ["sh", "-c", kill]), { direct: true })
      .catch(() => undefined);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
    await this.child;
    clearTimeout(timer);
    return {
      from: this.label,
      to: this.to,
      startedAtMs: this.startedAtMs,
      replies: [...this.replies],
      lost: this.lostSoFar(),
      longestGap: longestGap(this.replies),
    };
  }

  /** Packets missing between the first and the last reply seen. */
  lostSoFar(): number {
    if (this.replies.length === 0) return 0;
    const last = Math.max(...this.replies.map((r) => r.seq));
    return last + 1 - this.seen.size;
  }

  private onData(text: string) {
    this.buffer += text;
    const lines = this.buffer.split("\n");
    this.buffer = lines.pop() ?? "";
    const now = Date.now();
    for (const line of lines) {
      const seq = /seq=(\d+)/.exec(line)?.[1];
      if (seq === undefined || line.includes("DUP!")) continue;
      if (this.seen.has(Number(seq))) continue;
      this.seen.add(Number(seq));
      this.replies.push({ seq: Number(seq), atMs: now });
    }
  }
}

/**
 * Seconds from `faultEndMs` until the overlay answered again: the arrival of the first reply after the last
 * gap in sequence numbers, 0 if no gap reaches past the fault's end.
 */
export function recoverySeconds(log: PingLog, faultEndMs: number): number {
  const sorted = [...log.replies].sort((a, b) => a.seq - b.seq);
  let resumedAt: number | undefined;
  for (let i = 1; i < sorted.length; i++) {
    const [previous, current] = [sorted[i - 1], sorted[i]];
    if (previous && current && current.seq - previous.seq > 1) resumedAt = current.atMs;
  }
  if (resumedAt === undefined) return 0;
  return Math.max(0, Math.round((resumedAt - faultEndMs) / 100) / 10);
}

function longestGap(replies: Reply[]): number {
  const seqs = replies.map((r) => r.seq).sort((a, b) => a - b);
  let longest = 0;
  for (let i = 1; i < seqs.length; i++) longest = Math.max(longest, (seqs[i] ?? 0) - (seqs[i - 1] ?? 0) - 1);
  return longest;
}

function inside(from: Container, argv: string[]): string[] {
  if (from.kind === "lxc") return ["lxc-attach", "-n", from.name, "--", ...argv];
  if (from.kind === "docker") return ["docker", "exec", from.name, ...argv];
  return argv;
}
