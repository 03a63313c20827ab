import { leaseKeyOf, readLeases } from "../faults/campaign";
import { cmdlinesWith, worldReadableWith } from "../faults/probes";
import type { CharmUnit } from "../support/charm-unit";
import type { World } from "../world/world";
import type { HookSeen } from "./hook-queue";
import type { Timeline } from "./timeline";
import type { PairPing } from "./traffic";

// The soak's invariants, each checked as the soak runs; every violation is kept with the seed, the moment
// (seconds since the start) and the faults in effect, so a failing seed can be replayed and read.

export const INVARIANTS = ["unique-subnet", "recovery", "health-truth", "hook-exit", "no-secret"] as const;
export type InvariantName = (typeof INVARIANTS)[number];

export interface Violation {
  invariant: InvariantName;
  seed: number;
  /** Seconds since the soak started. */
  t: number;
  /** Faults in effect then (touching the machines concerned). */
  faults: string[];
  details: string;
}

/** A unit the lease check looks at: its machine's current underlay address and the subnet it runs on. */
export interface LeaseHolder {
  unit: CharmUnit;
  address: string;
}

// ./health may say ready over a broken machine for at most this long (issue 19).
const HEALTH_GRACE_MS = 2000;
// The emulator keeps relation data in its model and hands it to systemd-run on the command line, where Juju
// keeps it in the controller: those places are the harness's, not the charm's.
const HARNESS_PATHS = /^(\/var\/lib\/juju-emulator\/|\/run\/systemd\/transient\/)/;

export class Invariants {
  readonly violations: Violation[] = [];
  /** Open problems already recorded, so a lasting one is one violation, not one per check. */
  private readonly open = new Set<string>();
  private readonly readySince = new Map<string, number>();

  constructor(
    private readonly seed: number,
    private readonly startedAt: number,
    private readonly timeline: Timeline,
    private readonly secrets: Set<string>,
    private readonly log: (line: string) => void,
  ) {}

  record(invariant: InvariantName, details: string, machines?: string[], now = Date.now()): void {
    const t = Math.round((now - this.startedAt) / 100) / 10;
    const violation = {
      invariant,
      seed: this.seed,
      t,
      faults: this.timeline.labelsAt(now, machines),
      details,
    };
    this.violations.push(violation);
    this.log(`VIOLATION ${invariant} t=${t}s [${violation.faults.join(", ")}] ${details}`);
  }

  /** Records a problem once while it lasts; `clear` it when it is gone so a recurrence counts again. */
  private recordOnce(key: string, invariant: InvariantName, details: string, machines?: string[]) {
    if (this.open.has(key)) return;
    this.open.add(key);
    this.record(invariant, details, machines);
  }

  private clear(key: string) {
    this.open.delete(key);
  }

  /** No hook exits non-zero; nothing a hook logged, set as status or printed holds key material. */
  onHook(seen: HookSeen): void {
    if (seen.exitCode !== 0) {
      const tail = seen.text.trim().split("\n").slice(-3).join(" | ");
      this.record("hook-exit", `${seen.unit} ${seen.hook} (${seen.label}) exited ${seen.exitCode}: ${tail}`);
    }
    const secret = this.findSecret(seen.text);
    if (secret)
      this.record("no-secret", `${seen.unit} ${seen.hook} (${seen.label}) output holds key material`);
  }

  /** Every pair answers again within the window after the last fault touching it stopped. */
  checkRecovery(pairs: PairPing[], now = Date.now()): void {
    for (const pair of pairs) {
      const key = `recovery:${pair.label}`;
      if (pair.isUp(now)) {
        this.clear(key);
        continue;
      }
      const [a, b] = [pair.from.machine.name, pair.to.machine.name];
      const deadline = this.timeline.recoveryDeadline(a, b, this.startedAt);
      if (deadline === undefined || now <= deadline) continue;
      const silentS = ((now - pair.lastReplyAt) / 1000).toFixed(1);
      this.recordOnce(key, "recovery", `${pair.label} silent for ${silentS} s, past its recovery deadline`, [
        a,
        b,
      ]);
    }
  }

  /**
   * ./health must not say ready for more than 2 s while every pair to or from the machine's container fails,
   * other pairs work (so the cause is not shared), and a fault on the machine itself is in effect.
   */
  checkHealth(machine: string, line: string, ready: boolean, pairs: PairPing[], now = Date.now()): void {
    const mine = pairs.filter((p) => p.involves(machine));
    const broken =
      mine.length > 0 &&
      mine.every((p) => !p.isUp(now)) &&
      pairs.some((p) => !p.involves(machine) && p.isUp(now));
    const cause = broken ? this.timeline.localCause(machine, now) : undefined;
    const key = `health:${machine}`;
    if (!(ready && cause)) {
      this.readySince.delete(machine);
      this.clear(key);
      return;
    }
    const since = this.readySince.get(machine) ?? now;
    this.readySince.set(machine, since);
    if (now - since > HEALTH_GRACE_MS)
      this.recordOnce(
        key,
        "health-truth",
        `${machine} ./health '${line}' for ${((now - since) / 1000).toFixed(1)} s while its containers' traffic fails (${cause?.kind})`,
        [machine],
      );
  }

  /** No subnet is run by two units, and no unit runs on a subnet etcd leases to another unit. */
  async checkLeases(world: World, holders: LeaseHolder[], subnets: (string | undefined)[]): Promise<void> {
    const leases = await readLeases(world).catch(() => undefined);
    const problems: string[] = [];
    const bySubnet = new Map<string, string>();
    for (const [i, holder] of holders.entries()) {
      const subnet = subnets[i];
      if (subnet === undefined) continue;
      const other = bySubnet.get(subnet);
      if (other) problems.push(`subnet ${subnet} run by ${other} and ${holder.unit.name}`);
      bySubnet.set(subnet, holder.unit.name);
      const owner = leases?.get(leaseKeyOf(subnet));
      const ownerUnit = holders.find((h) => h.address === owner && h !== holder);
      if (ownerUnit)
        problems.push(
          `${holder.unit.name} runs on ${subnet}, leased in etcd to ${ownerUnit.unit.name} (${owner})`,
        );
    }
    for (const problem of problems) this.recordOnce(`lease:${problem}`, "unique-subnet", problem);
    for (const key of [...this.open])
      if (key.startsWith("lease:") && !problems.includes(key.slice(6))) this.clear(key);
  }

  /** Key material in world-readable files, process arguments or the unit's status. */
  async scanMachine(unit: CharmUnit): Promise<void> {
    for (const needle of this.needles()) {
      const files = (await worldReadableWith(unit, needle, ["/etc", "/var/lib", "/run", "/var/log"])).filter(
        (path) => !HARNESS_PATHS.test(path),
      );
      for (const file of files)
        this.recordOnce(
          `file:${unit.name}:${file}`,
          "no-secret",
          `${unit.name}: key material in world-readable ${file}`,
        );
      if ((await cmdlinesWith(unit, needle)).length > 0)
        this.recordOnce(
          `argv:${unit.name}`,
          "no-secret",
          `${unit.name}: key material in a process's arguments`,
        );
      const status = await unit.status();
      if (status.message.includes(needle))
        this.recordOnce(`status:${unit.name}`, "no-secret", `${unit.name}: key material in the status`);
    }
  }

  private findSecret(text: string): string | undefined {
    return this.needles().find((needle) => text.includes(needle));
  }

  /** One long base64 line of each secret: present in any copy, absent from anything else. */
  private needles(): string[] {
    return [...this.secrets].map((pem) => pem.split("\n").find((line) => line.length > 40) ?? pem);
  }
}
