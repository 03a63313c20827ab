import { chown, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensureFile, writeFileAtomic } from "../../src/fs/atomic";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "atomic-test-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("writeFileAtomic / ensureFile", () => {
  it("defect 8: rewriting a 0600 file keeps its mode and its owner", async () => {
    const path = join(dir, "daemon.json");
    await writeFile(path, '{"proxies":{"http-proxy":"http://user:secret@proxy:3128"}}\n', { mode: 0o600 });
    await chown(path, 4321, 4322);
    expect(await ensureFile(path, '{"bip":"10.10.7.1/24","mtu":1472}\n')).toBe(true);
    const info = await stat(path);
    expect((info.mode & 0o7777).toString(8)).toBe("600");
    expect([info.uid, info.gid]).toEqual([4321, 4322]);
  });

  it("defect 8: a mode given explicitly wins over the existing one; a new file gets 0644", async () => {
    const path = join(dir, "key.pem");
    await writeFile(path, "old\n", { mode: 0o644 });
    await writeFileAtomic(path, "new\n", { mode: 0o600 });
    expect(((await stat(path)).mode & 0o7777).toString(8)).toBe("600");
    const fresh = join(dir, "sub", "new.conf");
    await writeFileAtomic(fresh, "x\n");
    expect(((await stat(fresh)).mode & 0o7777).toString(8)).toBe("644");
    expect(await readFile(fresh, "utf8")).toBe("x\n");
  });

  it("leaves no temporary file behind, also when the rename fails", async () => {
    const path = join(dir, "target");
    await writeFileAtomic(path, "a\n");
    await rm(path);
    await mkdir(path);
    await expect(writeFileAtomic(path, "b\n")).rejects.toThrow();
    expect(await readdir(dir)).toEqual(["target"]);
  });
});
