import { mkdir, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
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
  await mkdir(dirname(path), { recursive: true });
  // World files run two at a time: the lock keeps one file's read-modify-write from losing the other's row.
  await withLock(`${path}.lock`, async () => {
    const results = (await readResults(path)).filter((r) => r.name !== result.name);
    results.push(result);
    results.sort((a, b) => scenarioNumber(a.name) - scenarioNumber(b.name));
    await writeFile(`${path}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
    await rename(`${path}.tmp`, path);
  });
  console.log(`${TABLE_HEADER}\n${tableRow(result)}`);
}

async function withLock(lockPath: string, work: () => Promise<void>): Promise<void> {
  for (;;) {
    try {
      const file = await open(lockPath, "wx");
      await file.writeFile(String(process.pid));
      await file.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      // A run killed while holding it leaves the file behind: its holder is gone, so the lock is free.
      const holder = await readFile(lockPath, "utf8").catch(() => "");
      if (holder !== "" && !isAlive(Number(holder))) await rm(lockPath, { force: true });
      else await sleep(50);
    }
  }
  try {
    await work();
  } finally {
    await rm(lockPath, { force: true });
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
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
