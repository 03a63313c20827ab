// A world kept by `npm run demo -- --keep`, found again by `npm run demo -- status` in another process.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Guest } from "../test/support/juju-status";
import { enterArgv } from "../test/world/enter";
import { WORLDS_DIR, worldDir } from "../test/world/leftovers";
import { execHost } from "../test/world/run";
import type { World } from "../test/world/world";

const FILE = "demo.json";

export interface KeptWorld {
  /** The demo process holding the world up. */
  pid: number;
  worldId: string;
  machines: { name: string; address: string; leaderPid: number | undefined }[];
}

/** Notes where the kept world's machines are, beside the world's own files (removed at teardown). */
export async function recordKeptWorld(world: World): Promise<void> {
  const machines = world.machines.map((m) => ({ name: m.name, address: m.address, leaderPid: m.leaderPid }));
  const kept: KeptWorld = { pid: process.pid, worldId: world.id, machines };
  await writeFile(join(worldDir(world.id), FILE), `${JSON.stringify(kept, null, 2)}\n`);
}

/** Kept worlds whose demo process still runs. */
export async function findKeptWorlds(): Promise<KeptWorld[]> {
  const ids = await readdir(WORLDS_DIR).catch(() => [] as string[]);
  const found: KeptWorld[] = [];
  for (const id of ids) {
    const text = await readFile(join(worldDir(id), FILE), "utf8").catch(() => undefined);
    if (text === undefined) continue;
    const kept = JSON.parse(text) as KeptWorld;
    if (isAlive(kept.pid)) found.push(kept);
  }
  return found;
}

/** The kept world's machines, entered by their leader PIDs (a machine whose init is gone is not running). */
export function keptGuests(kept: KeptWorld): Guest[] {
  return kept.machines.map((m) => {
    const leaderPid = m.leaderPid !== undefined && isAlive(m.leaderPid) ? m.leaderPid : undefined;
    return {
      name: m.name,
      address: m.address,
      leaderPid,
      exec: (argv: readonly string[]) => {
        if (leaderPid === undefined) throw new Error(`${m.name} is not running`);
        return execHost(enterArgv(leaderPid, argv), { timeoutMs: 30_000 });
      },
    };
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
