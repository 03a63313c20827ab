import { readFile, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { removeFile, statIfExists, writeFileAtomic } from "../fs/atomic";

/** Where the originals of the files the charm manages are kept. */
export const BACKUP_ROOT = "/var/lib/flannel-charm/backups";

const ABSENT_SUFFIX = ".absent";

function backupPathOf(path: string, root: string): string {
  return join(root, resolve(path));
}

// A stat, not a read: every hook asks whether a backup is kept, and a backup can be large.
async function exists(path: string): Promise<boolean> {
  return (await statIfExists(path)) !== undefined;
}

/** Keeps the file as it was before the charm first touched it (or that it did not exist); returns whether it made a backup now. */
export async function backupOnce(path: string, root = BACKUP_ROOT): Promise<boolean> {
  if (await hasBackup(path, root)) return false;
  const backup = backupPathOf(path, root);
  const original = await readBufferIfExists(path);
  // Atomic and synced: a backup that exists is whole, so an interrupted hook simply makes it again.
  if (original !== undefined) await writeFileAtomic(backup, original, await modeAndTimesOf(path));
  else await writeFileAtomic(backup + ABSENT_SUFFIX, `${resolve(path)} did not exist before the charm\n`);
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
    if (changed) await writeFileAtomic(path, original, await modeAndTimesOf(backup));
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
async function modeAndTimesOf(path: string) {
  const info = await stat(path, { bigint: true });
  const times = { atime: Number(info.atimeNs) / 1e9, mtime: Number(info.mtimeNs) / 1e9 };
  return { mode: Number(info.mode & 0o7777n), times };
}

async function readBufferIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
