// Synchronous calls throughout, for the reason small-files.ts gives: every hook writes a file or two of a
// few hundred bytes, and the first asynchronous file call of a process costs far more than such a write.
import { randomBytes } from "node:crypto";
import {
  closeSync,
  fchmodSync,
  fchownSync,
  fsyncSync,
  futimesSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  type Stats,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { readFile, stat } from "./small-files";

export interface WriteOptions {
  /** File mode, e.g. 0o600 for secrets; without it an existing file keeps its mode (a new one gets 0644). */
  mode?: number;
  /** Access and modification times in seconds, e.g. to give a restored file its original times back. */
  times?: { atime: number; mtime: number };
}

/**
 * Writes a file so that readers see either the old or the new content, never a partial one, also after a
 * power loss: the data is synced before the rename and the directory after it. An existing file keeps
 * its owner, and its mode unless one is given.
 */
export async function writeFileAtomic(path: string, content: string | Buffer, options: WriteOptions = {}) {
  const dir = dirname(path);
  ensureDir(dir);
  const existing = await statIfExists(path);
  const temp = join(dir, `.${randomBytes(6).toString("hex")}.tmp`);
  try {
    writeSynced(temp, content, {
      mode: options.mode ?? (existing ? existing.mode & 0o7777 : 0o644),
      owner: existing,
      times: options.times,
    });
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  fsyncPath(dir);
}

// Created owner-only, so a secret is never readable while being written; owner before mode, since
// chown clears set-id bits.
function writeSynced(
  temp: string,
  content: string | Buffer,
  options: { mode: number; owner?: Stats; times?: WriteOptions["times"] },
) {
  const fd = openSync(temp, "wx", 0o600);
  try {
    writeFileSync(fd, content);
    if (options.owner) fchownSync(fd, options.owner.uid, options.owner.gid);
    fchmodSync(fd, options.mode);
    if (options.times) futimesSync(fd, options.times.atime, options.times.mtime);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Puts a file another program wrote at `temp` in place as writeFileAtomic would: synced, renamed, synced. */
export async function renameDurably(temp: string, path: string): Promise<void> {
  fsyncPath(temp);
  renameSync(temp, path);
  fsyncPath(dirname(path));
}

/** Flushes a file's data, or a directory's entries (a rename, a new file), to the disk. */
function fsyncPath(path: string) {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

// A directory made now must survive a power loss too, or the file renamed into it is lost with it.
function ensureDir(dir: string) {
  const created = mkdirSync(dir, { recursive: true });
  if (created !== undefined) fsyncPath(dirname(created));
}

/** A path's stat, or undefined when it does not exist. */
export async function statIfExists(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Reads a file, or returns undefined when it does not exist. */
export async function readFileIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Writes content only when it differs from what is there; returns whether the file changed. */
export async function ensureFile(
  path: string,
  content: string,
  options: WriteOptions = {},
): Promise<boolean> {
  if ((await readFileIfExists(path)) === content) return false;
  await writeFileAtomic(path, content, options);
  return true;
}

/** Removes a file if present; returns whether it was there. */
export async function removeFile(path: string): Promise<boolean> {
  const existed = (await readFileIfExists(path)) !== undefined;
  rmSync(path, { force: true });
  return existed;
}
