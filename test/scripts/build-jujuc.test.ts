import { access, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";

const REPO = resolve(import.meta.dirname, "../..");
const SOURCE = join(REPO, "test/emulator/jujuc");

describe("scripts/build-jujuc.mjs", () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // The demo and the bench name the binary relative to the repository, while Go builds in its source
  // directory: on a fresh clone the binary once landed there and the rename failed.
  it("puts the binary where a path relative to the caller's directory says", async () => {
    dir = await mkdtemp(join(tmpdir(), "jujuc-"));
    const target = relative(REPO, join(dir, "out/jujuc"));
    const { stdout } = await execa("node", ["scripts/build-jujuc.mjs", target], {
      cwd: REPO,
      timeout: 300_000,
    });
    expect(stdout.trim()).toBe(join(dir, "out/jujuc"));
    await access(join(dir, "out/jujuc"));
    expect(await readdir(SOURCE)).toEqual(["go.mod", "main.go"]);
  }, 300_000);
});
