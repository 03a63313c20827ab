import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { INVARIANTS, type Violation } from "./invariants";
import { type FaultEvent, label } from "./timeline";

/** What build/soak.json holds. */
export interface SoakReport {
  seed: number;
  minutes: number;
  /** The command that replays this run. */
  reproduce: string;
  updateStatusIntervalS: number;
  recoveryWindowS: number;
  world: string;
  /** Wall time from the first fault's clock start to the last window's close. */
  durationS: number;
  faultsPerKind: Record<string, number>;
  violationsPerInvariant: Record<string, number>;
  /** The longest recovery measured (faults whose pairs never answered in their window are in `unrecovered`). */
  worstRecoveryS: number | null;
  unrecovered: string[];
  /** Per kind: what the charm left unrepaired after the window (the drifts it does not repair yet). */
  unrepaired: Record<string, string[]>;
  hooksRun: number;
  violations: Violation[];
  faults: {
    n: number;
    kind: string;
    targets: string[];
    plannedAtS: number;
    injectedAtS: number | null;
    holdS: number;
    recoveryS: number | null | undefined;
    leftover?: string;
    restored?: boolean;
    error?: string;
  }[];
  notes: string[];
}

/** What the soak recorded: the report's own settings and counts, and the raw events they come from. */
export interface ReportInput
  extends Pick<
    SoakReport,
    | "seed"
    | "minutes"
    | "reproduce"
    | "updateStatusIntervalS"
    | "recoveryWindowS"
    | "world"
    | "violations"
    | "hooksRun"
    | "notes"
  > {
  startedAt: number;
  endedAt: number;
  events: FaultEvent[];
}

/** Builds the report from what the soak recorded. */
export function buildReport(input: ReportInput): SoakReport {
  const rel = (at: number | undefined) =>
    at === undefined ? null : Math.round((at - input.startedAt) / 100) / 10;
  const faultsPerKind: Record<string, number> = {};
  const unrepaired: Record<string, string[]> = {};
  for (const e of input.events) {
    if (e.injectedAt === undefined) continue;
    faultsPerKind[e.kind] = (faultsPerKind[e.kind] ?? 0) + 1;
    if (e.leftover) unrepaired[e.kind] = [...(unrepaired[e.kind] ?? []), `${label(e)}: ${e.leftover}`];
  }
  const violationsPerInvariant = Object.fromEntries(
    INVARIANTS.map((name) => [name, input.violations.filter((v) => v.invariant === name).length]),
  );
  const recoveries = input.events.flatMap((e) => (typeof e.recoveryS === "number" ? [e.recoveryS] : []));
  return {
    seed: input.seed,
    minutes: input.minutes,
    reproduce: input.reproduce,
    updateStatusIntervalS: input.updateStatusIntervalS,
    recoveryWindowS: input.recoveryWindowS,
    world: input.world,
    durationS: Math.round((input.endedAt - input.startedAt) / 1000),
    faultsPerKind,
    violationsPerInvariant,
    worstRecoveryS: recoveries.length > 0 ? Math.max(...recoveries) : null,
    unrecovered: input.events.filter((e) => e.recoveryS === null).map(label),
    unrepaired,
    hooksRun: input.hooksRun,
    violations: input.violations,
    faults: input.events.map((e) => ({
      n: e.n,
      kind: e.kind,
      targets: e.targets,
      plannedAtS: e.plannedAtS,
      injectedAtS: rel(e.injectedAt),
      holdS: e.holdS,
      recoveryS: e.recoveryS,
      ...(e.leftover ? { leftover: e.leftover } : {}),
      ...(e.restored ? { restored: true } : {}),
      ...(e.error ? { error: e.error } : {}),
    })),
    notes: input.notes,
  };
}

export async function writeReport(path: string, report: SoakReport): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
}

/** A short text summary: faults per kind, violations per invariant, worst recovery, unrepaired kinds. */
export function summarize(report: SoakReport): string {
  const lines = [
    `soak: seed ${report.seed}, ${report.minutes} min planned, ${report.durationS} s run, ${report.hooksRun} hooks`,
    `faults per kind: ${Object.entries(report.faultsPerKind)
      .map(([k, n]) => `${k}=${n}`)
      .join(" ")}`,
    `violations per invariant: ${Object.entries(report.violationsPerInvariant)
      .map(([k, n]) => `${k}=${n}`)
      .join(" ")}`,
    `worst recovery: ${report.worstRecoveryS ?? "-"} s; never recovered in the window: ${report.unrecovered.join(", ") || "none"}`,
    ...Object.entries(report.unrepaired).map(([kind, what]) => `unrepaired ${kind}: ${what.join("; ")}`),
    ...report.violations.map(
      (v) => `VIOLATION ${v.invariant} t=${v.t}s [${v.faults.join(", ")}] ${v.details}`,
    ),
    `reproduce: ${report.reproduce}`,
  ];
  return lines.join("\n");
}
