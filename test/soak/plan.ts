import { createRng } from "./prng";

// The whole soak, planned from the seed before anything runs: which fault, on which machines, when, held how
// long, and when the extra hooks come. The plan is pure, so a seed always yields the same plan; only the
// wall-clock moments stretch when a loaded machine runs an injection late.

export type Scope = "machine" | "pair" | "world";
export type HostKind = "lxc" | "docker";

/** What the planner needs to know of a fault kind. */
export interface KindSpec {
  name: string;
  scope: Scope;
  /** Only machines whose containers are of this type. */
  only?: HostKind;
  /** Held this many seconds (min, max) before it is healed; drifts have none: they stop once injected. */
  holdS?: readonly [number, number];
}

export interface HostSpec {
  name: string;
  kind: HostKind;
}

export interface PlannedFault {
  n: number;
  atS: number;
  kind: string;
  /** Machine names (empty for a world fault, two for a pair fault). */
  targets: string[];
  holdS: number;
}

export type ChurnOp = "config-changed" | "relation-changed" | "unit-added" | "unit-removed";

export interface PlannedHook {
  atS: number;
  op: ChurnOp;
  /** Machine name. */
  target: string;
}

export interface SoakPlan {
  seed: number;
  minutes: number;
  faults: PlannedFault[];
  hooks: PlannedHook[];
  /** First update-status of each machine's unit, seconds after the start (then every interval). */
  updateStatusPhaseS: Record<string, number>;
}

export interface PlanOptions {
  seed: number;
  minutes: number;
  kinds: readonly KindSpec[];
  hosts: readonly HostSpec[];
  /** The machine whose unit is added and removed (no containers, no faults). */
  churnHost: string;
  /** update-status interval + 10 s: a machine takes no new fault until its last one could have recovered. */
  windowS: number;
  updateStatusIntervalS: number;
}

// Time an injection itself takes on a loaded machine, added to what a fault occupies.
const INJECT_ALLOWANCE_S = 5;
const FIRST_FAULT_S = 5;
const GAP_S: readonly [number, number] = [2, 8];

/** The plan for one seed. */
export function planSoak(options: PlanOptions): SoakPlan {
  return {
    seed: options.seed,
    minutes: options.minutes,
    faults: planFaults(options),
    hooks: planHooks(options),
    updateStatusPhaseS: planPhases(options),
  };
}

/**
 * Faults in a shuffled round-robin over the kinds (every kind once before any twice), each on a machine that
 * is not still inside an earlier fault's recovery window. Of the kinds still due in this round, the one that
 * can start soonest goes next (a world fault, which needs every machine free, waits for the round's end).
 */
function planFaults(options: PlanOptions): PlannedFault[] {
  const rng = createRng(options.seed, 1);
  const endS = options.minutes * 60;
  const busyUntil = new Map(options.hosts.map((h) => [h.name, 0]));
  const freeAt = (h: HostSpec) => busyUntil.get(h.name) ?? 0;
  const faults: PlannedFault[] = [];
  const usable = options.kinds.filter((k) => eligible(k, options.hosts).length >= needed(k, options.hosts));
  let pending: KindSpec[] = [];
  let t = FIRST_FAULT_S;
  while (t < endS && usable.length > 0) {
    if (pending.length === 0) pending = rng.shuffle(usable);
    const startOf = (k: KindSpec) => {
      const byFree = eligible(k, options.hosts).sort((a, b) => freeAt(a) - freeAt(b));
      return Math.max(t, freeAt(byFree[needed(k, options.hosts) - 1] as HostSpec));
    };
    const kind = pending.reduce((best, k) => (startOf(k) < startOf(best) ? k : best));
    pending = pending.filter((k) => k !== kind);
    const start = startOf(kind);
    if (start >= endS) break;
    const free = eligible(kind, options.hosts).filter((h) => freeAt(h) <= start);
    const targets = kind.scope === "world" ? [] : rng.shuffle(free).slice(0, needed(kind, options.hosts));
    const holdS = kind.holdS ? Math.round(rng.between(kind.holdS[0], kind.holdS[1])) : 0;
    const until = start + holdS + options.windowS + INJECT_ALLOWANCE_S;
    for (const host of kind.scope === "world" ? options.hosts : targets) busyUntil.set(host.name, until);
    const atS = Math.round(start * 10) / 10;
    faults.push({ n: faults.length + 1, atS, kind: kind.name, targets: targets.map((h) => h.name), holdS });
    t = atS + rng.between(GAP_S[0], GAP_S[1]);
  }
  return faults;
}

function eligible(kind: KindSpec, hosts: readonly HostSpec[]): HostSpec[] {
  return hosts.filter((h) => kind.only === undefined || h.kind === kind.only);
}

function needed(kind: KindSpec, hosts: readonly HostSpec[]): number {
  if (kind.scope === "world") return hosts.length;
  return kind.scope === "pair" ? 2 : 1;
}

/** config-changed and relation-changed now and then on random units; the churn unit added, later removed. */
function planHooks(options: PlanOptions): PlannedHook[] {
  const rng = createRng(options.seed, 2);
  const endS = options.minutes * 60;
  const names = options.hosts.map((h) => h.name);
  const hooks: PlannedHook[] = [];
  for (let t = rng.between(10, 40); t < endS; t += rng.between(20, 60)) {
    const op = rng.next() < 0.5 ? "config-changed" : "relation-changed";
    hooks.push({ atS: Math.round(t), op, target: rng.pick(names) });
  }
  // Add and remove cycles of the churn unit: at least one of each, even in a 3-minute soak.
  const cycleS = Math.max(endS / Math.max(1, Math.round(endS / 360)), 60);
  for (let start = 0; start + 30 <= endS; start += cycleS) {
    const added = start + rng.between(5, cycleS * 0.3);
    const removed = added + rng.between(cycleS * 0.4, cycleS * 0.6);
    hooks.push({ atS: Math.round(added), op: "unit-added", target: options.churnHost });
    if (removed < endS)
      hooks.push({ atS: Math.round(removed), op: "unit-removed", target: options.churnHost });
  }
  return hooks.sort((a, b) => a.atS - b.atS);
}

function planPhases(options: PlanOptions): Record<string, number> {
  const rng = createRng(options.seed, 3);
  const names = [...options.hosts.map((h) => h.name), options.churnHost];
  return Object.fromEntries(
    names.map((name) => [name, Math.round(rng.between(1, options.updateStatusIntervalS))]),
  );
}
