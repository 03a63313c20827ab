import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { REPO_ROOT } from "../support/paths";

/** One scenario's outcome, as build/faults.json holds it. */
export interface ScenarioResult {
  name: string;
  passed: boolean;
  hookErrors: number;
  leaseViolations: number;
  pingsLost: number;
  /** Seconds from the fault's end to the overlay answering again; null where nothing was measured. */
  recoverySeconds: number | null;
  notes: string[];
  /** What the units' metrics said at each moment the scenario looked (label → one line per unit). */
  metrics?: Record<string, string[]>;
}

export const FAULTS_JSON = join(REPO_ROOT, "build/faults.json");

/** Adds or replaces a scenario (by name) in build/faults.json, keeping the others, and prints its row. */
export async function recordResult(result: ScenarioResult, path = FAULTS_JSON): Promise<void> {
  const results = (await readResults(path)).filter((r) => r.name !== result.name);
  results.push(result);
  results.sort((a, b) => scenarioNumber(a.name) - scenarioNumber(b.name));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`${TABLE_HEADER}\n${tableRow(result)}`);
}

export async function readResults(path = FAULTS_JSON): Promise<ScenarioResult[]> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as ScenarioResult[];
  } catch {
    return [];
  }
}

export const TABLE_HEADER = `${pad("scenario", 44)} ${pad("result", 6)} ${pad("hook err", 8)} ${pad("lease viol", 10)} ${pad("pings lost", 10)} recovery`;

/** One fixed-width line per scenario. */
export function tableRow(r: ScenarioResult): string {
  const recovery = r.recoverySeconds === null ? "-" : `${r.recoverySeconds.toFixed(1)} s`;
  return [
    pad(r.name, 44),
    pad(r.passed ? "pass" : "FAIL", 6),
    pad(String(r.hookErrors), 8),
    pad(String(r.leaseViolations), 10),
    pad(String(r.pingsLost), 10),
    recovery,
  ].join(" ");
}

function pad(text: string, width: number): string {
  return text.length >= width ? text.slice(0, width) : text + " ".repeat(width - text.length);
}

function scenarioNumber(name: string): number {
  return Number(/^(\d+)/.exec(name)?.[1] ?? 99);
}
