import type { Run } from "../bridges/programs";
import { readFile, stat } from "../fs/small-files";

/** Where cgroup hierarchies that systemd may manage are mounted: v2, hybrid's v2, v1's named one. */
const HIERARCHIES = [
  { line: /^0::(.*)$/m, mount: "/sys/fs/cgroup" },
  { line: /^0::(.*)$/m, mount: "/sys/fs/cgroup/unified" },
  { line: /^\d+:name=systemd:(.*)$/m, mount: "/sys/fs/cgroup/systemd" },
];

export interface UnitProbeOptions {
  /** /proc/1 by default: systemd as PID 1 names its own cgroup there. */
  readonly initProc?: string;
  readonly cgroupRoot?: string;
  /** /proc by default: where each process's stat file is. */
  readonly procRoot?: string;
}

/** USER_HZ: /proc/PID/stat counts a process's start in these ticks after boot, 100 a second on Linux. */
const TICKS_PER_SECOND = 100;

/**
 * Whether systemd's UNIT has a process running, read from the unit's cgroup instead of asking systemctl
 * (a spawn that costs as much as the rest of ./health). systemd creates a service's cgroup when it starts
 * and removes it once the last process is gone, so an empty or missing cgroup means not running. When the
 * machine's layout is not one systemd makes, `systemctl is-active` answers instead.
 */
export async function isUnitRunning(unit: string, run: Run, options: UnitProbeOptions = {}) {
  return (await probeUnit(unit, run, options)).running;
}

/**
 * When UNIT's first running process started, in µs of CLOCK_MONOTONIC (the clock systemd reports starts
 * in; the same as time since boot on machines that never suspend); undefined when nothing runs.
 */
export async function unitStartedUs(unit: string, run: Run, options: UnitProbeOptions = {}) {
  const pids = await readUnitPids(unit, options);
  if (pids === undefined) return startedBySystemctl(unit, run);
  return firstStartUs(pids, options.procRoot ?? "/proc");
}

export interface UnitProbe {
  readonly running: boolean;
  /** See unitStartedUs; read only when asked. */
  readonly startedUs: () => Promise<number | undefined>;
}

/** Reads UNIT's cgroup once for both questions ./health asks: whether it runs, and since when. */
export async function probeUnit(unit: string, run: Run, options: UnitProbeOptions = {}): Promise<UnitProbe> {
  const pids = await readUnitPids(unit, options);
  if (pids === undefined)
    return { running: await isActiveBySystemctl(unit, run), startedUs: () => startedBySystemctl(unit, run) };
  return { running: pids.length > 0, startedUs: () => firstStartUs(pids, options.procRoot ?? "/proc") };
}

async function firstStartUs(pids: readonly string[], procRoot: string): Promise<number | undefined> {
  const ticks = await Promise.all(pids.map((pid) => readStartTicks(`${procRoot}/${pid}/stat`)));
  const known = ticks.filter((tick): tick is number => tick !== undefined);
  return known.length === 0 ? undefined : (Math.min(...known) * 1_000_000) / TICKS_PER_SECOND;
}

/** The PIDs in UNIT's cgroup; undefined when the machine's layout is not one systemd makes. */
async function readUnitPids(unit: string, options: UnitProbeOptions): Promise<string[] | undefined> {
  const slice = await findSystemSlice(options);
  if (slice === undefined) return undefined;
  const name = unit.includes(".") ? unit : `${unit}.service`;
  const procs = await readFile(`${slice}/${name}/cgroup.procs`, "utf8").catch(() => "");
  return procs.split("\n").filter((pid) => pid.trim() !== "");
}

/** Field 22 of /proc/PID/stat (after the parenthesised command name, which may hold spaces). */
async function readStartTicks(statPath: string): Promise<number | undefined> {
  const stat = await readFile(statPath, "utf8").catch(() => undefined);
  const ticks = Number(stat?.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
  return Number.isFinite(ticks) && ticks > 0 ? ticks : undefined;
}

/** The cgroup directory of systemd's system.slice, or undefined when PID 1 is not systemd. */
async function findSystemSlice(options: UnitProbeOptions): Promise<string | undefined> {
  const initProc = options.initProc ?? "/proc/1";
  const [comm, cgroups] = await Promise.all([
    readFile(`${initProc}/comm`, "utf8").catch(() => ""),
    readFile(`${initProc}/cgroup`, "utf8").catch(() => ""),
  ]);
  if (comm.trim() !== "systemd") return undefined;
  for (const { line, mount } of HIERARCHIES) {
    const own = line.exec(cgroups)?.[1];
    if (own === undefined) continue;
    // PID 1 lives in init.scope; system.slice is its sibling.
    const root = own.replace(/\/init\.scope$/, "").replace(/\/$/, "");
    const slice = `${options.cgroupRoot ?? ""}${mount}${root}/system.slice`;
    if (await isDirectory(slice)) return slice;
  }
  return undefined;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

async function isActiveBySystemctl(unit: string, run: Run): Promise<boolean> {
  const { exitCode, stdout } = await run("systemctl", ["is-active", unit]);
  return exitCode === 0 && stdout.trim() === "active";
}

async function startedBySystemctl(unit: string, run: Run): Promise<number | undefined> {
  const args = ["show", "-p", "ExecMainStartTimestampMonotonic", "--value", unit];
  const { exitCode, stdout } = await run("systemctl", args);
  const startedUs = Number(stdout.trim());
  return exitCode === 0 && startedUs > 0 ? startedUs : undefined;
}
