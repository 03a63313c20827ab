import { randomBytes } from "node:crypto";
import type { Stats } from "node:fs";
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";

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
  await ensureDir(dir);
  const existing = await statIfExists(path);
  const temp = join(dir, `.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeSynced(temp, content, {
      mode: options.mode ?? (existing ? existing.mode & 0o7777 : 0o644),
      owner: existing,
      times: options.times,
    });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(dir);
}

// Created owner-only, so a secret is never readable while being written; owner before mode, since
// chown clears set-id bits.
async function writeSynced(
  temp: string,
  content: string | Buffer,
  options: { mode: number; owner?: Stats; times?: WriteOptions["times"] },
) {
  const handle = await open(temp, "wx", 0o600);
  try {
    await handle.writeFile(content);
    if (options.owner) await handle.chown(options.owner.uid, options.owner.gid);
    await handle.chmod(options.mode);
    if (options.times) await handle.utimes(options.times.atime, options.times.mtime);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a rename or new entry in a directory durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

// A directory made now must survive a power loss too, or the file renamed into it is lost with it.
async function ensureDir(dir: string) {
  const created = await mkdir(dir, { recursive: true });
  if (created !== undefined) await syncDirectory(dirname(created));
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
  await rm(path, { force: true });
  return existed;
}
