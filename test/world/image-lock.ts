import { existsSync, readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sleep } from "./run";

/**
 * Runs `build` while holding `${dir}.lock`, so two test processes never debootstrap the same image at once;
 * the one that waits finds the image complete and skips building. A lock whose holder died is taken over.
 */
export async function withImageLock(dir: string, build: () => Promise<void>): Promise<void> {
  const lock = `${dir}.lock`;
  while (!(await tryLock(lock))) {
    if (!isHolderAlive(lock)) await rm(lock, { recursive: true, force: true });
    else await sleep(1000);
  }
  try {
    if (!existsSync(join(dir, "complete"))) await build();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

async function tryLock(lock: string): Promise<boolean> {
  try {
    await mkdir(lock); // atomic: exactly one process creates it
  } catch {
    return false;
  }
  await writeFile(join(lock, "pid"), `${process.pid}\n`);
  return true;
}

function isHolderAlive(lock: string): boolean {
  try {
    const pid = Number(readFileSync(join(lock, "pid"), "utf8"));
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // No pid file yet means the holder is between mkdir and writing it: treat as alive.
    return (error as NodeJS.ErrnoException).code === "ENOENT" && existsSync(lock);
  }
}
