import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

export interface WriteOptions {
  /** File mode, e.g. 0o600 for secrets; applied before the rename so the content is never exposed. */
  mode?: number;
}

/** Writes a file so that readers see either the old or the new content, never a partial one. */
export async function writeFileAtomic(path: string, content: string | Buffer, options: WriteOptions = {}) {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeFile(temp, content, { mode: options.mode ?? 0o644 });
    await chmod(temp, options.mode ?? 0o644);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
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
