// What hooks and ./health observe is small files (state, /proc, /sys, cgroups, unit files), read with
// node:fs's synchronous calls behind the promise API the observers use. The first asynchronous file call
// of a process starts libuv's thread pool and Node.js's promise-based file machinery: 2.5–5 ms on
// Debian's Node.js 18, measured in a booted machine, against ~0.05 ms for one synchronous read of such a
// file. A hook that changes nothing then starts no thread at all.
import { readFileSync, readlinkSync, type Stats, statSync } from "node:fs";

/** The file's text; rejects as fs/promises' readFile would (ENOENT and all). */
export function readFile(path: string, encoding: "utf8"): Promise<string> {
  return settle(() => readFileSync(path, encoding));
}

/** The path's stat; rejects as fs/promises' stat would. */
export function stat(path: string): Promise<Stats> {
  return settle(() => statSync(path));
}

/** Where a symbolic link points; rejects as fs/promises' readlink would. */
export function readlink(path: string): Promise<string> {
  return settle(() => readlinkSync(path));
}

function settle<T>(read: () => T): Promise<T> {
  try {
    return Promise.resolve(read());
  } catch (error) {
    return Promise.reject(error);
  }
}
