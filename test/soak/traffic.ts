import { execa, type ResultPromise } from "execa";
import { type Container, inContainer, sleep } from "../support/overlay";

// Continuous pings between containers on different machines. Unlike the campaign's Pinger, a pair outlives
// its ping process: a reboot or a Docker restart kills `lxc-attach`/`docker exec`, and the pair starts a new
// one a second later, so one pair's history spans the whole soak.

const INTERVAL_S = 0.2;
/** A pair is down when no reply arrived for this long (10 pings at 0.2 s). */
export const DOWN_AFTER_MS = 2000;
const GUEST_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export class PairPing {
  /** Arrival time of every reply, in order. */
  readonly replies: number[] = [];
  private child: ResultPromise | undefined;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private buffer = "";
  readonly pidFile: string;

  constructor(
    readonly from: Container,
    readonly to: Container,
  ) {
    this.pidFile = `/soakping-${to.address.replaceAll(".", "-")}.pid`;
  }

  get label(): string {
    return `${this.from.machine.name}/${this.from.name} -> ${this.to.machine.name}/${this.to.name}`;
  }

  /** Whether the pair touches the machine `name` (as sender or receiver). */
  involves(name: string): boolean {
    return this.from.machine.name === name || this.to.machine.name === name;
  }

  get lastReplyAt(): number {
    return this.replies.at(-1) ?? 0;
  }

  isUp(now = Date.now()): boolean {
    return now - this.lastReplyAt <= DOWN_AFTER_MS;
  }

  start(): void {
    this.loop ??= this.keepPinging();
  }

  /** Stops the ping inside the container (by its own PID file), then the local process it ran under. */
  async stop(): Promise<void> {
    this.stopped = true;
    const kill = `kill -INT "$(cat ${this.pidFile})"; rm -f ${this.pidFile}`;
    await this.from.machine
      .exec(inContainer(this.from, ["sh", "-c", kill]), { direct: true, timeoutMs: 10_000 })
      .catch(() => undefined);
    const pid = this.child?.pid;
    const timer = setTimeout(() => {
      if (pid !== undefined) this.child?.kill("SIGKILL");
    }, 5000);
    await this.loop;
    clearTimeout(timer);
  }

  /**
   * When the pair answered again after `since`: the first reply after the last gap longer than DOWN_AFTER_MS
   * up to `until` (0 s when it never went down), or undefined if it is still down at `until`.
   */
  recoveredAfter(since: number, until: number): number | undefined {
    let last = since;
    for (const at of this.replies) if (at <= since) last = at;
    let resumed = since;
    for (const at of this.replies) {
      if (at <= since || at > until) continue;
      if (at - last > DOWN_AFTER_MS) resumed = at;
      last = at;
    }
    if (until - last > DOWN_AFTER_MS) return undefined;
    return resumed - since;
  }

  private async keepPinging(): Promise<void> {
    while (!this.stopped) {
      const leader = this.from.machine.leaderPid;
      if (leader !== undefined) await this.runOnce(leader);
      if (!this.stopped) await sleep(1000);
    }
  }

  private async runOnce(leader: number): Promise<void> {
    const script = `echo $$ >${this.pidFile}; exec busybox ping -i ${INTERVAL_S} ${this.to.address}`;
    const inner = inContainer(this.from, ["sh", "-c", script]);
    const argv = ["-t", String(leader), "-a", "--", "env", "-i", `PATH=${GUEST_PATH}`, ...inner];
    this.child = execa("nsenter", argv, { reject: false, stdin: "ignore", buffer: false });
    this.child.stdout?.on("data", (chunk: Buffer) => this.onData(chunk.toString()));
    await this.child;
    this.child = undefined;
  }

  private onData(text: string): void {
    this.buffer += text;
    const lines = this.buffer.split("\n");
    this.buffer = lines.pop() ?? "";
    for (const line of lines)
      if (/seq=\d+/.test(line) && !line.includes("DUP!")) this.replies.push(Date.now());
  }
}

/** Every ordered pair of containers on different machines. */
export function crossHostPairs(containers: Container[]): PairPing[] {
  return containers.flatMap((from) =>
    containers.filter((to) => to.machine !== from.machine).map((to) => new PairPing(from, to)),
  );
}
