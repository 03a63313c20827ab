import { heldSubnet } from "../faults/campaign";
import { CharmUnit } from "../support/charm-unit";
import { sleep } from "../support/overlay";
import { CATALOGUE, kindNamed } from "./catalogue";
import type { Host, SoakContext } from "./context";
import { type HookSeen, UnitHookQueue } from "./hook-queue";
import { Invariants, type LeaseHolder } from "./invariants";
import { type PlannedFault, type PlannedHook, planSoak } from "./plan";
import { buildReport, type SoakReport } from "./report";
import { buildSoakWorld, CHURN_MACHINE, type SoakWorld } from "./setup";
import { type FaultEvent, label, Timeline } from "./timeline";
import { crossHostPairs, type PairPing } from "./traffic";

// The soak itself: boots its world, then injects the planned faults while update-status keeps coming on an
// interval (plus config-changed, relation-changed and a unit added and removed), checking the invariants all
// along. The world is torn down on every way out.

export interface SoakOptions {
  seed: number;
  minutes: number;
  updateStatusIntervalS: number;
  log?: (line: string) => void;
}

const PAIRS_UP_TIMEOUT_MS = 120_000;
const LEASE_CHECK_MS = 10_000;
const SECRET_SCAN_MS = 60_000;
const HEALTH_EVERY_MS = 1000;

/** The command that replays a seed. */
export function reproduceCommand(options: SoakOptions): string {
  return `npm run soak -- --minutes ${options.minutes} --seed ${options.seed} --interval ${options.updateStatusIntervalS}`;
}

/** Boots the soak's world, runs the soak on it, tears it down; resolves to the report. */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? ((line: string) => console.error(line));
  log(`soak: seed ${options.seed}; reproduce with: ${reproduceCommand(options)}`);
  const soakWorld = await buildSoakWorld(log);
  try {
    return await new SoakRun(soakWorld, options, log).run();
  } finally {
    await soakWorld.world.teardown();
  }
}

class SoakRun {
  private readonly timeline = new Timeline();
  private readonly notes: string[] = [];
  private readonly secrets = new Set<string>();
  private readonly pairs: PairPing[];
  private readonly windowMs: number;
  private startedAt = Date.now();
  private running = true;
  private invariants!: Invariants;
  private queue!: UnitHookQueue;
  private ctx!: SoakContext;
  private churnUnit: CharmUnit | undefined;
  private churnIndex: number;
  private readonly pendingUpdate = new Set<string>();

  constructor(
    private readonly sw: SoakWorld,
    private readonly options: SoakOptions,
    private readonly log: (line: string) => void,
  ) {
    this.pairs = crossHostPairs(sw.hosts.map((h) => h.container));
    this.windowMs = (options.updateStatusIntervalS + 10) * 1000;
    this.churnIndex = sw.hosts.length;
    const key = sw.world.etcd.tls?.key;
    if (key) this.secrets.add(key);
  }

  async run(): Promise<SoakReport> {
    const { hosts, world } = this.sw;
    for (const pair of this.pairs) pair.start();
    try {
      await this.waitPairsUp();
      const plan = planSoak({
        seed: this.options.seed,
        minutes: this.options.minutes,
        kinds: CATALOGUE,
        hosts: hosts.map((h) => ({ name: h.name, kind: h.kind })),
        churnHost: CHURN_MACHINE,
        windowS: this.windowMs / 1000,
        updateStatusIntervalS: this.options.updateStatusIntervalS,
      });
      this.log(
        `soak: ${plan.faults.length} faults planned: ${plan.faults.map((f) => `${f.atS}s ${f.kind}${f.targets.length ? `@${f.targets.join("+")}` : ""}`).join(", ")}`,
      );
      this.startedAt = Date.now();
      this.invariants = new Invariants(
        this.options.seed,
        this.startedAt,
        this.timeline,
        this.secrets,
        this.log,
      );
      this.queue = new UnitHookQueue(
        (seen) => {
          this.invariants.onHook(seen);
          this.logHook(seen);
        },
        (unit, what, error) => this.note(`${unit} ${what} could not run: ${String(error).split("\n")[0]}`),
      );
      this.ctx = {
        world,
        hosts,
        hooks: this.queue,
        etcdData: this.sw.etcdData,
        secrets: this.secrets,
        note: (m) => this.note(m),
      };
      const loops = this.startLoops(plan.updateStatusPhaseS);
      await Promise.all([...this.scheduleFaults(plan.faults), ...plan.hooks.map((h) => this.churn(h))]);
      this.running = false;
      await Promise.all(loops);
      await this.queue.drain();
      await this.checkLeases();
      await this.scanSecrets();
      const endedAt = Date.now();
      return buildReport({
        seed: this.options.seed,
        minutes: this.options.minutes,
        reproduce: reproduceCommand(this.options),
        updateStatusIntervalS: this.options.updateStatusIntervalS,
        recoveryWindowS: this.windowMs / 1000,
        world: `${hosts.map((h) => `${h.name}:${h.kind}`).join(" ")} ${CHURN_MACHINE}:churn, etcd TLS`,
        startedAt: this.startedAt,
        endedAt,
        events: this.timeline.events,
        violations: this.invariants.violations,
        hooksRun: this.queue.hooksRun,
        notes: this.notes,
      });
    } finally {
      this.running = false;
      await Promise.all(this.pairs.map((p) => p.stop()));
    }
  }

  // Every hook that said something (a repair in the log, a status) or failed, on one line of the soak's
  // output: what a failing seed's run did is then there to read, not only its verdict.
  private logHook(seen: HookSeen): void {
    const said = seen.text
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("-----"));
    if (said.length === 0 && seen.exitCode === 0) return;
    const what = said.map((line) => line.slice(0, 160)).join(" | ");
    this.log(`soak: t=${this.elapsedS()}s hook ${seen.unit} ${seen.label} exit ${seen.exitCode}: ${what}`);
  }

  private note(message: string): void {
    const line = `t=${this.elapsedS()}s ${message}`;
    this.notes.push(line);
    this.log(`soak: ${line}`);
  }

  private elapsedS(): number {
    return Math.round((Date.now() - this.startedAt) / 100) / 10;
  }

  private async waitPairsUp(): Promise<void> {
    const deadline = Date.now() + PAIRS_UP_TIMEOUT_MS;
    while (!this.pairs.every((p) => p.isUp())) {
      if (Date.now() > deadline) {
        const down = this.pairs.filter((p) => !p.isUp()).map((p) => p.label);
        throw new Error(`pairs not answering before the first fault: ${down.join(", ")}`);
      }
      await sleep(500);
    }
    this.log(`soak: all ${this.pairs.length} cross-host pairs answer`);
  }

  /** Each fault waits for its planned moment and for the earlier faults on its machines to close. */
  private scheduleFaults(faults: PlannedFault[]): Promise<void>[] {
    const busy = new Map<string, Promise<void>>();
    return faults.map((planned) => {
      const scope = kindNamed(planned.kind).scope;
      const names = scope === "world" ? this.sw.hosts.map((h) => h.name) : planned.targets;
      const before = names.map((n) => busy.get(n) ?? Promise.resolve());
      const task = this.runFault(planned, before);
      for (const name of names) busy.set(name, task);
      return task;
    });
  }

  private async runFault(planned: PlannedFault, before: Promise<void>[]): Promise<void> {
    await this.sleepUntil(this.startedAt + planned.atS * 1000, false);
    await Promise.all(before);
    const kind = kindNamed(planned.kind);
    const targets = planned.targets.map((name) => this.host(name));
    const event = this.timeline.add({
      n: planned.n,
      kind: kind.name,
      scope: kind.scope,
      targets: planned.targets,
      plannedAtS: planned.atS,
      holdS: planned.holdS,
    });
    event.injectedAt = Date.now();
    this.log(
      `soak: t=${this.elapsedS()}s inject ${label(event)}${planned.holdS ? ` for ${planned.holdS} s` : ""}: ${kind.what}`,
    );
    try {
      const heal = await kind.inject(this.ctx, targets);
      if (heal) {
        await sleep(planned.holdS * 1000);
        await heal();
      }
    } catch (error) {
      event.error = String(error).split("\n").slice(0, 3).join(" ");
      this.note(`${label(event)} injection failed: ${event.error}`);
    }
    event.stoppedAt = Date.now();
    event.windowEnd = event.stoppedAt + this.windowMs;
    await this.sleepUntil(event.windowEnd, false);
    await this.close(event, targets);
  }

  /** After the window: how long the pairs took, what is left unrepaired, and a hand repair if needed. */
  private async close(event: FaultEvent, targets: Host[]): Promise<void> {
    const kind = kindNamed(event.kind);
    // Each pair is timed from the last stop of any fault touching it, so overlapping faults still give a
    // figure; a pair under a fault still held, or whose later fault's window is still open, gives none.
    const now = Date.now();
    const stop = event.stoppedAt ?? 0;
    const touched = this.pairs.filter(
      (p) => event.scope === "world" || targets.some((t) => p.involves(t.name)),
    );
    const times: (number | null)[] = [];
    for (const pair of touched) {
      const since = this.lastStopTouching(pair, event);
      if (since === undefined) continue;
      const recovered = pair.recoveredAfter(since, now);
      if (recovered !== undefined) times.push(recovered);
      else if (since <= stop) times.push(null);
    }
    if (times.includes(null)) event.recoveryS = null;
    else if (times.length > 0) event.recoveryS = Math.round(Math.max(...(times as number[])) / 100) / 10;
    const leftovers: string[] = [];
    for (const target of kind.leftover ? targets : []) {
      const left = await kind
        .leftover?.(this.ctx, target)
        .catch((e: unknown) => `could not check: ${String(e).split("\n")[0]}`);
      if (left) leftovers.push(`${target.name}: ${left}`);
    }
    if (leftovers.length > 0) event.leftover = leftovers.join("; ");
    this.log(
      `soak: t=${this.elapsedS()}s closed ${label(event)}: recovery ${event.recoveryS === undefined ? "not measurable" : `${event.recoveryS ?? "NONE"} s`}${event.leftover ? `; unrepaired: ${event.leftover}` : ""}`,
    );
    if (event.leftover || event.recoveryS === null) await this.restore(event, targets);
    event.closedAt = Date.now();
  }

  /**
   * The latest stop of a fault touching the pair during `event` (its own stop at least); undefined while
   * one of them is still held, since the pair cannot answer before it stops.
   */
  private lastStopTouching(pair: PairPing, event: FaultEvent): number | undefined {
    let since = event.stoppedAt ?? 0;
    for (const other of this.timeline.events) {
      if (other === event || other.injectedAt === undefined) continue;
      if (!Timeline.touches(other, pair.from.machine.name) && !Timeline.touches(other, pair.to.machine.name))
        continue;
      if (other.closedAt !== undefined && other.closedAt <= (event.injectedAt ?? 0)) continue;
      if (other.injectedAt > Date.now()) continue;
      if (other.stoppedAt === undefined) return undefined;
      since = Math.max(since, other.stoppedAt);
    }
    return since;
  }

  /** The operator's hand repair, so that the rest of the soak runs on sound machines. */
  private async restore(event: FaultEvent, targets: Host[]): Promise<void> {
    const kind = kindNamed(event.kind);
    event.restored = true;
    try {
      await this.sw.world.etcd.start();
      for (const target of event.scope === "world" ? this.sw.hosts : targets) {
        if (kind.restore) await kind.restore(this.ctx, target);
        else await target.machine.run(["systemctl", "restart", "flannel"]);
        await this.queue.run(target.unit, "update-status after a hand repair", () =>
          target.unit.updateStatus(),
        );
      }
      this.note(`${label(event)} restored by hand`);
    } catch (error) {
      this.note(`${label(event)} hand repair failed: ${String(error).split("\n")[0]}`);
    }
  }

  private host(name: string): Host {
    const host = this.sw.hosts.find((h) => h.name === name);
    if (!host) throw new Error(`no soak host ${name}`);
    return host;
  }

  private async churn(planned: PlannedHook): Promise<void> {
    await this.sleepUntil(this.startedAt + planned.atS * 1000, false);
    try {
      if (planned.op === "unit-added") await this.addChurnUnit();
      else if (planned.op === "unit-removed") await this.removeChurnUnit();
      else {
        const host = this.host(planned.target);
        if (host.down) return;
        const operation =
          planned.op === "config-changed"
            ? () => host.unit.configure({})
            : () => host.unit.remoteChange(host.relationId, "etcd/0", this.sw.etcdData());
        await this.queue.run(host.unit, planned.op, operation);
      }
    } catch (error) {
      this.note(`${planned.op} on ${planned.target} could not run: ${String(error).split("\n")[0]}`);
    }
  }

  private async addChurnUnit(): Promise<void> {
    if (this.churnUnit) return;
    const unit = await CharmUnit.place(this.sw.churn, {
      index: this.churnIndex++,
      config: { "container-type": "none" },
    });
    this.churnUnit = unit;
    this.note(`${unit.name} added on ${CHURN_MACHINE}`);
    await this.queue.run(unit, "deploy", () => unit.deploy());
    await this.queue.run(unit, "relate etcd", () => unit.relateEtcd({ "etcd/0": this.sw.etcdData() }));
  }

  /**
   * Removes the churn unit. The remove hook leaves the unit's record and subnet.env behind for the next unit on
   * the machine (a known defect, test/faults/scale-world.test.ts); they are wiped as the campaign wipes them.
   */
  private async removeChurnUnit(): Promise<void> {
    const unit = this.churnUnit;
    if (!unit) return;
    await this.queue.run(unit, "remove", () => unit.operate("remove"));
    this.churnUnit = undefined;
    await this.sw.churn.run(["rm", "-rf", "/var/lib/flannel-charm", "/run/flannel"]);
    this.note(`${unit.name} removed from ${CHURN_MACHINE}`);
  }

  private startLoops(phases: Record<string, number>): Promise<void>[] {
    const loops = this.sw.hosts.map((h) =>
      this.updateStatusLoop(
        h.name,
        () => h.unit,
        () => h.down,
        phases[h.name] ?? 1,
      ),
    );
    loops.push(
      this.updateStatusLoop(
        CHURN_MACHINE,
        () => this.churnUnit,
        () => false,
        phases[CHURN_MACHINE] ?? 1,
      ),
    );
    loops.push(...this.sw.hosts.map((h) => this.healthLoop(h)));
    loops.push(this.every(500, async () => this.invariants.checkRecovery(this.pairs)));
    loops.push(this.every(LEASE_CHECK_MS, () => this.checkLeases()));
    loops.push(this.every(SECRET_SCAN_MS, () => this.scanSecrets()));
    return loops;
  }

  /** update-status every interval from the unit's phase; skipped (as Juju would) while one is still queued. */
  private async updateStatusLoop(
    name: string,
    unitOf: () => CharmUnit | undefined,
    down: () => boolean,
    phaseS: number,
  ) {
    const intervalMs = this.options.updateStatusIntervalS * 1000;
    for (let next = this.startedAt + phaseS * 1000; this.running; next += intervalMs) {
      await this.sleepUntil(next, true);
      const unit = unitOf();
      if (!this.running || !unit || down() || this.pendingUpdate.has(name)) continue;
      this.pendingUpdate.add(name);
      void this.queue
        .run(unit, "update-status", () => unit.updateStatus())
        .finally(() => this.pendingUpdate.delete(name));
    }
  }

  private async healthLoop(host: Host): Promise<void> {
    while (this.running) {
      if (!host.down) {
        const result = await host.unit.health().catch(() => undefined);
        if (result && !host.down) {
          const line = result.stdout.trim();
          this.invariants.checkHealth(
            host.name,
            line,
            result.exitCode === 0 && line.startsWith("ready"),
            this.pairs,
          );
        }
      }
      await sleep(HEALTH_EVERY_MS);
    }
  }

  private async every(ms: number, check: () => Promise<void>): Promise<void> {
    while (this.running) {
      await check().catch((e: unknown) => this.note(`check failed: ${String(e).split("\n")[0]}`));
      await this.sleepUntil(Date.now() + ms, true);
    }
  }

  private async checkLeases(): Promise<void> {
    const holders: LeaseHolder[] = this.sw.hosts
      .filter((h) => !h.down)
      .map((h) => ({ unit: h.unit, address: h.address }));
    if (this.churnUnit) holders.push({ unit: this.churnUnit, address: this.sw.churn.address });
    const subnets = await Promise.all(holders.map((h) => heldSubnet(h.unit).catch(() => undefined)));
    await this.invariants.checkLeases(this.sw.world, holders, subnets);
  }

  private async scanSecrets(): Promise<void> {
    for (const host of this.sw.hosts.filter((h) => !h.down))
      await this.invariants.scanMachine(host.unit).catch(() => undefined);
  }

  /** Sleeps until `at`; with `stopEarly`, wakes as soon as the soak stops. */
  private async sleepUntil(at: number, stopEarly: boolean): Promise<void> {
    while (Date.now() < at && (!stopEarly || this.running)) await sleep(Math.min(500, at - Date.now()));
  }
}
