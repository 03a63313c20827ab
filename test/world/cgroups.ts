import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { sleep } from "./run";

// nspawn (with SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1) uses the named systemd v1 hierarchy and cgroup2.
const HIERARCHIES = ["/sys/fs/cgroup/systemd", "/sys/fs/cgroup/unified"];

/** Creates the top-level cgroup `name` in each hierarchy nspawn uses. */
export async function createCgroup(name: string): Promise<void> {
  for (const root of HIERARCHIES) await mkdir(join(root, name), { recursive: true });
}

/** Removes cgroup `name` and everything the guest made below it, once its processes are gone. */
export async function removeCgroup(name: string): Promise<void> {
  for (const root of HIERARCHIES) {
    const dir = join(root, name);
    if (existsSync(dir)) await removeTree(dir);
  }
}

/** Removes the sub-cgroups a previous boot left, keeping `name` itself for the next boot. */
export async function clearCgroupChildren(name: string): Promise<void> {
  for (const root of HIERARCHIES) {
    const dir = join(root, name);
    for (const child of await listChildren(dir)) await removeTree(join(dir, child));
  }
}

/** Top-level cgroup names, for leftovers and snapshots. */
export async function listTopCgroups(): Promise<string[]> {
  const lists = await Promise.all(
    HIERARCHIES.map(async (root) => (await listChildren(root)).map((n) => join(root, n))),
  );
  return lists.flat();
}

async function listChildren(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
}

async function removeTree(dir: string): Promise<void> {
  for (const child of await listChildren(dir)) await removeTree(join(dir, child));
  // A cgroup stays busy for a moment after its last process is reaped.
  for (let attempt = 0; ; attempt++) {
    try {
      return await rmdir(dir);
    } catch (error) {
      if (attempt >= 50)
        throw new Error(`cannot remove cgroup ${dir}: ${await describeProcs(dir)}`, { cause: error });
      await sleep(100);
    }
  }
}

async function describeProcs(dir: string): Promise<string> {
  const procs = await readFile(join(dir, "cgroup.procs"), "utf8").catch(() => "");
  return procs.trim() ? `still holds PIDs ${procs.trim().split("\n").join(" ")}` : "busy";
}

/** Every PID in cgroup `name` and below (the launcher, nspawn and all guest processes). */
export async function listCgroupPids(name: string): Promise<number[]> {
  return listTreePids(join(HIERARCHIES[0] as string, name));
}

async function listTreePids(dir: string): Promise<number[]> {
  const own = await readFile(join(dir, "cgroup.procs"), "utf8").catch(() => "");
  const below = await Promise.all((await listChildren(dir)).map((child) => listTreePids(join(dir, child))));
  return [...own.split("\n").filter(Boolean).map(Number), ...below.flat()];
}
