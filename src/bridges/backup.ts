import { copyFile, mkdir, readFile, rm, stat, utimes } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { removeFile, writeFileAtomic } from "../fs/atomic";

/** Where the originals of the files the charm manages are kept. */
export const BACKUP_ROOT = "/var/lib/flannel-charm/backups";

const ABSENT_SUFFIX = ".absent";

function backupPathOf(path: string, root: string): string {
  return join(root, resolve(path));
}

async function exists(path: string): Promise<boolean> {
  return (await readBufferIfExists(path)) !== undefined;
}

/** Keeps the file as it was before the charm first touched it (or that it did not exist); returns whether it made a backup now. */
export async function backupOnce(path: string, root = BACKUP_ROOT): Promise<boolean> {
  const backup = backupPathOf(path, root);
  if ((await exists(backup)) || (await exists(backup + ABSENT_SUFFIX))) return false;
  await mkdir(dirname(backup), { recursive: true });
  if (await exists(path)) {
    await copyFile(path, backup);
    await copyTimes(path, backup);
  } else await writeFileAtomic(backup + ABSENT_SUFFIX, `${resolve(path)} did not exist before the charm\n`);
  return true;
}

/** Whether a backup of the file is kept. */
export async function hasBackup(path: string, root = BACKUP_ROOT): Promise<boolean> {
  const backup = backupPathOf(path, root);
  return (await exists(backup)) || (await exists(backup + ABSENT_SUFFIX));
}

/** Puts the original back (or removes the file if there was none) and forgets the backup; returns whether the file changed. */
export async function restoreBackup(path: string, root = BACKUP_ROOT): Promise<boolean> {
  const backup = backupPathOf(path, root);
  const original = await readBufferIfExists(backup);
  if (original !== undefined) {
    const current = await readBufferIfExists(path);
    const changed = current === undefined || !original.equals(current);
    if (changed) {
      await writeFileAtomic(path, original, { mode: (await stat(backup)).mode & 0o7777 });
      await copyTimes(backup, path);
    }
    await rm(backup);
    return changed;
  }
  if (!(await exists(backup + ABSENT_SUFFIX))) return false;
  const changed = await removeFile(path);
  await rm(backup + ABSENT_SUFFIX);
  return changed;
}

/**
 * The original kept for a file: its bytes, null when the file did not exist before the charm, or
 * undefined when no backup is kept.
 */
export async function readBackup(path: string, root = BACKUP_ROOT): Promise<Buffer | null | undefined> {
  const backup = backupPathOf(path, root);
  const original = await readBufferIfExists(backup);
  if (original !== undefined) return original;
  return (await exists(backup + ABSENT_SUFFIX)) ? null : undefined;
}

// A restored file carries its original modification time too (to the microsecond: utimes takes seconds
// as a double), so tools comparing times see the original again.
async function copyTimes(from: string, to: string): Promise<void> {
  const times = await stat(from, { bigint: true });
  await utimes(to, Number(times.atimeNs) / 1e9, Number(times.mtimeNs) / 1e9);
}

async function readBufferIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
