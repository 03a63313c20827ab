import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { backupOnce } from "../../src/bridges/backup";
import { writeFileAtomic } from "../../src/fs/atomic";

// Power cannot be cut in a test; what makes a rename durable can be observed: the new file's data is
// synced before the rename, and the directory (which holds the rename) is synced after it. Every
// open, fsync and rename the code makes is recorded here, by path, in order.
const calls = vi.hoisted(() => [] as string[]);
vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  const paths = new Map<number, string>();
  const openSync: typeof real.openSync = (path, flags, mode) => {
    const fd = real.openSync(path, flags, mode);
    paths.set(fd, String(path));
    calls.push(`open ${String(path)} ${String(flags ?? "r")}`);
    return fd;
  };
  const fsyncSync: typeof real.fsyncSync = (fd) => {
    calls.push(`fsync ${paths.get(fd)}`);
    real.fsyncSync(fd);
  };
  const renameSync: typeof real.renameSync = (from, to) => {
    calls.push(`rename ${String(from)} -> ${String(to)}`);
    real.renameSync(from, to);
  };
  const mocked = { ...real, openSync, fsyncSync, renameSync };
  return { ...mocked, default: mocked };
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "durability-test-"));
  calls.length = 0;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The calls on one final path and on the temporary file renamed onto it, in order. */
function callsFor(path: string): string[] {
  const renamed = calls.find((call) => call.startsWith("rename ") && call.endsWith(` -> ${path}`));
  const temp = renamed?.slice("rename ".length, -` -> ${path}`.length);
  return calls
    .filter(
      (call) =>
        call.includes(` ${path}`) ||
        (temp !== undefined && call.includes(` ${temp}`)) ||
        call === `open ${dirname(path)} r` ||
        call === `fsync ${dirname(path)}`,
    )
    .map((call) => (temp === undefined ? call : call.replaceAll(temp, "TEMP")));
}

describe("durable writes", () => {
  it("defect 11: writeFileAtomic syncs the data, then renames, then syncs the directory", async () => {
    const path = join(dir, "flannel.service");
    await writeFileAtomic(path, "[Unit]\n");
    expect(callsFor(path)).toEqual([
      "open TEMP wx",
      "fsync TEMP",
      `rename TEMP -> ${path}`,
      `open ${dir} r`,
      `fsync ${dir}`,
    ]);
    expect(await readFile(path, "utf8")).toBe("[Unit]\n");
  });

  it("defect 11: a backup appears only complete: written to a temporary file, synced, renamed", async () => {
    const file = join(dir, "etc", "lxc-net");
    await mkdir(dirname(file));
    await writeFile(file, "USE_LXC_BRIDGE=true\n", { mode: 0o640 });
    const root = join(dir, "backups");
    calls.length = 0;
    expect(await backupOnce(file, root)).toBe(true);
    const backup = join(root, file);
    expect(callsFor(backup)).toEqual([
      "open TEMP wx",
      "fsync TEMP",
      `rename TEMP -> ${backup}`,
      `open ${dirname(backup)} r`,
      `fsync ${dirname(backup)}`,
    ]);
    expect(await readFile(backup, "utf8")).toBe("USE_LXC_BRIDGE=true\n");
    expect(basename(backup)).toBe("lxc-net");
  });
});
