import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { listCgroupPids, listTopCgroups, removeCgroup } from "./cgroups";
import { detachMountsUnder } from "./mounts";
import { deleteNetns, listNetns, listNetnsPids } from "./netns";
import { waitFor } from "./run";

/** Where worlds keep machine disks, etcd data and logs; outside the repo, on disk (not tmpfs). */
export const WORLDS_DIR = process.env.FCW_WORLDS_DIR ?? "/var/tmp/flannel-charm-world";
const NAME = /^fcw-([0-9a-f]{6})-/;

export function worldDir(id: string): string {
  return join(WORLDS_DIR, id);
}

/** Marks a world as owned by this process (PID + start time, so a reused PID is not mistaken for it). */
export async function claimWorld(id: string): Promise<void> {
  // The directory appears with its owner file already in it: another run's cleanLeftovers must never see
  // this world without an owner (two world files run at once).
  const claiming = join(WORLDS_DIR, `.claiming-${id}`);
  await mkdir(claiming, { recursive: true });
  await writeFile(join(claiming, "owner"), `${process.pid} ${readStartTime(process.pid)}\n`);
  await rename(claiming, worldDir(id));
}

/** Removes everything of worlds whose owning process is gone (a crashed or killed earlier run). */
export async function cleanLeftovers(): Promise<string[]> {
  const ids = await findWorldIds();
  const orphans = ids.filter((id) => !isOwnerAlive(id));
  for (const id of orphans) await cleanWorld(id);
  return orphans;
}

/** Kills the world's processes by PID, then deletes its cgroups, namespaces and files. */
export async function cleanWorld(id: string): Promise<void> {
  const prefix = `fcw-${id}-`;
  const namespaces = (await listNetns()).filter((name) => name.startsWith(prefix));
  const cgroups = [...new Set((await listTopCgroups()).map((path) => basename(path)))].filter((n) =>
    n.startsWith(prefix),
  );
  const pidsOf = async () => [
    ...(await Promise.all(namespaces.map(listNetnsPids))).flat(),
    ...(await Promise.all(cgroups.map(listCgroupPids))).flat(),
  ];
  for (const pid of await pidsOf()) killQuietly(pid);
  await waitFor(`world ${id}'s processes to exit`, 30_000, async () =>
    (await pidsOf()).length ? undefined : true,
  );
  for (const cgroup of cgroups) await removeCgroup(cgroup);
  for (const netns of namespaces) await deleteNetns(netns);
  await removeWorldDir(id);
}

async function findWorldIds(): Promise<string[]> {
  const fromDirs = (await readdir(WORLDS_DIR).catch(() => [] as string[])).filter((n) =>
    /^[0-9a-f]{6}$/.test(n),
  );
  const names = [...(await listNetns()), ...(await listTopCgroups()).map((path) => basename(path))];
  const fromNames = names.map((name) => NAME.exec(name)?.[1]).filter((id): id is string => id !== undefined);
  return [...new Set([...fromDirs, ...fromNames])];
}

function isOwnerAlive(id: string): boolean {
  const ownerFile = join(worldDir(id), "owner");
  if (!existsSync(ownerFile)) return false;
  const [pid, startTime] = readFileSync(ownerFile, "utf8").trim().split(" ");
  return readStartTime(Number(pid)) === startTime;
}

/** Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot. */
function readStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

async function removeWorldDir(id: string): Promise<void> {
  // Machines mount their overlays in private mount namespaces; anything visible here is a stray.
  await detachMountsUnder(worldDir(id));
  await rm(worldDir(id), { recursive: true, force: true });
}

/** SIGKILL, ignoring a process that is already gone. */
export function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}
