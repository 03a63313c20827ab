import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { backupOnce, hasBackup, readBackup, restoreBackup } from "../../src/bridges/backup";
import { readFileIfExists } from "../../src/fs/atomic";

let dir: string;
let root: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "backup-test-"));
  root = join(dir, "backups");
  file = join(dir, "etc", "lxc-net");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("backupOnce / restoreBackup", () => {
  it("keeps the original under the root at the file's absolute path, only the first time", async () => {
    await mkdir(join(dir, "etc"));
    await writeFile(file, "original\n", { mode: 0o640 });
    expect(await backupOnce(file, root)).toBe(true);
    await writeFile(file, "charm's\n");
    expect(await backupOnce(file, root)).toBe(false);
    expect(await readFile(join(root, file), "utf8")).toBe("original\n");
    expect(await restoreBackup(file, root)).toBe(true);
    expect(await readFile(file, "utf8")).toBe("original\n");
    expect((await stat(file)).mode & 0o777).toBe(0o640);
    expect(await hasBackup(file, root)).toBe(false);
  });

  it("gives the restored file its original modification time back", async () => {
    await mkdir(join(dir, "etc"));
    await writeFile(file, "original\n");
    await utimes(file, 1_600_000_000.125, 1_600_000_000.125);
    await backupOnce(file, root);
    await writeFile(file, "charm's\n");
    expect(await restoreBackup(file, root)).toBe(true);
    expect((await stat(file)).mtimeMs).toBe(1_600_000_000_125);
  });

  it("reads the kept original: its bytes, null when there was no file, undefined without a backup", async () => {
    expect(await readBackup(file, root)).toBeUndefined();
    await backupOnce(file, root);
    expect(await readBackup(file, root)).toBeNull();
    await restoreBackup(file, root);
    await mkdir(join(dir, "etc"));
    await writeFile(file, "original\n");
    await backupOnce(file, root);
    expect((await readBackup(file, root))?.toString()).toBe("original\n");
  });

  it("remembers that the file did not exist and removes it on restore", async () => {
    expect(await backupOnce(file, root)).toBe(true);
    await mkdir(join(dir, "etc"));
    await writeFile(file, "charm's\n");
    expect(await backupOnce(file, root)).toBe(false);
    expect(await hasBackup(file, root)).toBe(true);
    expect(await restoreBackup(file, root)).toBe(true);
    expect(await readFileIfExists(file)).toBeUndefined();
    expect(await hasBackup(file, root)).toBe(false);
  });

  it("reports no change when the file already holds the original, and when there is no backup", async () => {
    await mkdir(join(dir, "etc"));
    await writeFile(file, "same\n");
    await backupOnce(file, root);
    expect(await restoreBackup(file, root)).toBe(false);
    expect(await readFile(file, "utf8")).toBe("same\n");
    expect(await restoreBackup(file, root)).toBe(false);
  });
});
