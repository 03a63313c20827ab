import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { Run } from "../../src/bridges/programs";
import { PREFETCHED, parsePrefetched, prefetchedRun } from "../../src/health/prefetched";

const REPO = resolve(import.meta.dirname, "../..");
const INPUT = [
  "@@ rules\n*nat\n-A POSTROUTING -j X\nCOMMIT\n\n@@ rules 0\n",
  "@@ failed\n\n@@ failed 4\n",
  "@@ lxcbr0\n[]\n\n@@ lxcbr0 0\n",
  "@@ addr\n[{",
].join("");

function recordingFallback() {
  const calls: string[][] = [];
  const run: Run = async (file, args) => {
    calls.push([file, ...args]);
    return { exitCode: 0, stdout: "from the fallback\n" };
  };
  return { calls, run };
}

describe("parsePrefetched", () => {
  it("splits the script's answers by name, output and exit code kept, and drops one cut short", () => {
    expect(parsePrefetched(INPUT)).toEqual(
      new Map([
        ["rules", { exitCode: 0, stdout: "*nat\n-A POSTROUTING -j X\nCOMMIT\n" }],
        ["failed", { exitCode: 4, stdout: "" }],
        ["lxcbr0", { exitCode: 0, stdout: "[]\n" }],
      ]),
    );
    expect(parsePrefetched("")).toEqual(new Map());
  });
});

describe("prefetchedRun", () => {
  it("answers the prefetched command lines from the input, read once", async () => {
    const fallback = recordingFallback();
    let reads = 0;
    const run = prefetchedRun({ FLANNEL_HEALTH_PREFETCHED: "stdin" }, fallback.run, async () => {
      reads += 1;
      return INPUT;
    });
    const [file, ...args] = PREFETCHED.rules;
    expect(await run(file, args)).toEqual({ exitCode: 0, stdout: "*nat\n-A POSTROUTING -j X\nCOMMIT\n" });
    const [addrFile, ...addrArgs] = PREFETCHED.addr;
    expect(await run(addrFile, addrArgs)).toEqual({ exitCode: 0, stdout: "from the fallback\n" });
    expect(reads).toBe(1);
    // addr's answer was cut short in the input: that one program is started instead.
    expect(fallback.calls).toEqual([[...PREFETCHED.addr]]);
  });

  it("runs what was not prefetched, or everything without the script's flag", async () => {
    const fallback = recordingFallback();
    const run = prefetchedRun({ FLANNEL_HEALTH_PREFETCHED: "stdin" }, fallback.run, async () => INPUT);
    await run("systemctl", ["is-active", "flannel"]);
    const [file, ...args] = PREFETCHED.addr;
    await run(file, args);
    expect(fallback.calls).toEqual([["systemctl", "is-active", "flannel"], [...PREFETCHED.addr]]);
    expect(prefetchedRun({}, fallback.run)).toBe(fallback.run);
  });

  it("matches the command lines the health script runs, name for name", async () => {
    const script = await readFile(join(REPO, "health"), "utf8");
    const prefetched = [...script.matchAll(/^\s+prefetch (\S+) (.+)$/gm)].map((m) => [m[1], m[2].split(" ")]);
    expect(Object.fromEntries(prefetched)).toEqual(PREFETCHED);
  });
});
