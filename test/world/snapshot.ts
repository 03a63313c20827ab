import { readdirSync, readFileSync } from "node:fs";
import { listTopCgroups } from "./cgroups";
import { listNetns } from "./netns";

/** What the host has that a world could leave behind. */
export interface HostSnapshot {
  netns: string[];
  mounts: string[];
  cgroups: string[];
  /** "PID PPID cmdline" of every process. */
  processes: string[];
}

/** Reads the host's namespaces, mount points, top-level cgroups and processes. */
export async function takeSnapshot(): Promise<HostSnapshot> {
  const mounts = readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter(Boolean);
  return {
    netns: await listNetns(),
    mounts: mounts.map((line) => line.split(" ")[4] ?? ""),
    cgroups: await listTopCgroups(),
    processes: listProcesses(),
  };
}

/** Entries of `after` that `before` did not have, per kind. */
export function diffSnapshots(before: HostSnapshot, after: HostSnapshot): HostSnapshot {
  const added = (a: string[], b: string[]) => b.filter((item) => !new Set(a).has(item));
  return {
    netns: added(before.netns, after.netns),
    mounts: added(before.mounts, after.mounts),
    cgroups: added(before.cgroups, after.cgroups),
    processes: added(before.processes, after.processes),
  };
}

/** Keeps the entries that mention `needle`, or are processes descending from `ancestorPid`. */
export function filterSnapshot(snapshot: HostSnapshot, needle: string, ancestorPid: number): HostSnapshot {
  const mentions = (items: string[]) => items.filter((item) => item.includes(needle));
  const parents = new Map(snapshot.processes.map((p) => [p.split(" ")[0], p.split(" ")[1]]));
  const descends = (line: string) => isDescendant(line.split(" ")[0] ?? "", String(ancestorPid), parents);
  return {
    netns: mentions(snapshot.netns),
    mounts: mentions(snapshot.mounts),
    cgroups: mentions(snapshot.cgroups),
    processes: snapshot.processes.filter((line) => line.includes(needle) || descends(line)),
  };
}

function isDescendant(
  pid: string,
  ancestor: string,
  parents: Map<string | undefined, string | undefined>,
): boolean {
  for (let current = parents.get(pid); current && current !== "0"; current = parents.get(current)) {
    if (current === ancestor) return true;
  }
  return false;
}

function listProcesses(): string[] {
  const pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  return pids.map(describeProcess).filter((line): line is string => line !== undefined);
}

function describeProcess(pid: string): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const ppid = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1];
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
    return `${pid} ${ppid} ${cmdline}`;
  } catch {
    return undefined; // exited while we looked
  }
}
