import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  fileIdentity,
  LIBRARIES_FILE,
  nodeLibrariesOf,
  observeStartupSnapshot,
  planStartupSnapshot,
  renderLibraries,
  snapshotPaths,
} from "../../src/runtime/startup-snapshot";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "startup-snapshot-test-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const MAPS = [
  "55d4c3a00000-55d4c3a01000 r--p 00000000 fe:01 884680 /usr/bin/nodejs",
  "7f6948000000-7f6948200000 r--p 00000000 fe:01 901234 /usr/lib/x86_64-linux-gnu/libnode.so.108",
  "7f6948200000-7f6949000000 r-xp 00200000 fe:01 901234 /usr/lib/x86_64-linux-gnu/libnode.so.108",
  "7f6949000000-7f6949100000 r--p 00000000 fe:01 901300 /usr/lib/x86_64-linux-gnu/libc.so.6",
  "7ffd1a000000-7ffd1a021000 rw-p 00000000 00:00 0 [stack]",
].join("\n");

describe("the start-up snapshot's identity", () => {
  it("is a file's inode, size and whole seconds of mtime, as `stat -L -c %i-%s-%Y` prints them", async () => {
    const binary = join(dir, "node");
    await writeFile(binary, "not really node");
    const { stdout } = await execa("stat", ["-L", "-c", "%i-%s-%Y", binary]);
    expect(fileIdentity(await stat(binary))).toBe(stdout.trim());
  });

  it("takes the library that carries V8 from the process's maps, once, and no other", () => {
    expect(nodeLibrariesOf(MAPS)).toEqual(["/usr/lib/x86_64-linux-gnu/libnode.so.108"]);
    expect(nodeLibrariesOf("")).toEqual([]);
  });

  it("names the snapshot and the mark of an unusable Node.js after it", () => {
    expect(snapshotPaths("7-8-9_1-2-3", "/d")).toEqual({
      blob: "/d/7-8-9_1-2-3.blob",
      unusable: "/d/7-8-9_1-2-3.unusable",
    });
  });
});

describe("observe and plan", () => {
  async function fakeNode() {
    const binary = join(dir, "node");
    const library = join(dir, "libnode.so.108");
    await writeFile(binary, "x");
    await writeFile(library, "yy");
    return { binary, maps: `7f69-7f70 r-xp 00000000 fe:01 1 ${library}\n` };
  }

  it("names a snapshot after the binary and its library, as the scripts' one stat of both prints them", async () => {
    const { binary, maps } = await fakeNode();
    const facts = observeStartupSnapshot(binary, dir, maps);
    const { stdout } = await execa("stat", ["-L", "-c", "%i-%s-%Y", binary, join(dir, "libnode.so.108")]);
    expect(facts.identity).toBe(stdout.trim().split("\n").join("_"));
  });

  it("plans a build until the snapshot and the libraries file are both there; none for a marked Node.js", async () => {
    const { binary, maps } = await fakeNode();
    const facts = observeStartupSnapshot(binary, dir, maps);
    expect(facts).toMatchObject({ built: false, unusable: false });
    expect(planStartupSnapshot(facts).map((a) => a.effect.kind)).toEqual(["build-startup-snapshot"]);
    const paths = snapshotPaths(facts.identity ?? "", dir);
    await writeFile(paths.blob, "");
    expect(planStartupSnapshot(observeStartupSnapshot(binary, dir, maps))).toHaveLength(1);
    await writeFile(join(dir, LIBRARIES_FILE), renderLibraries(facts.libraries));
    expect(planStartupSnapshot(observeStartupSnapshot(binary, dir, maps))).toEqual([]);
    await rm(paths.blob);
    await writeFile(paths.unusable, "building it failed\n");
    expect(planStartupSnapshot(observeStartupSnapshot(binary, dir, maps))).toEqual([]);
  });

  it("plans nothing when the binary cannot be looked at", () => {
    expect(planStartupSnapshot(observeStartupSnapshot(join(dir, "absent"), dir, ""))).toEqual([]);
  });
});
