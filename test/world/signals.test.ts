import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let dir: string;
let child: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "signals-test-"));
  child = join(dir, "child.mjs");
  await build({
    entryPoints: [join(import.meta.dirname, "fixtures/signals-child.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: child,
    logLevel: "silent",
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Starts the child, waits for "ready", sends `signals` one after another, and returns how it ended. */
async function interrupt(signals: NodeJS.Signals[]) {
  const proc = execa("node", [child], { reject: false });
  await new Promise<void>((resolve) => {
    proc.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("ready")) resolve();
    });
  });
  for (const signal of signals) proc.kill(signal);
  return proc;
}

describe("a world torn down on a signal", () => {
  it("says once that teardown starts and once that it is done, with the time, when Ctrl-C arrives twice", async () => {
    // npm forwards the terminal's SIGINT to its child, so the demo gets two.
    const result = await interrupt(["SIGINT", "SIGINT"]);
    expect(result.exitCode).toBe(130);
    expect(result.stdout.match(/teardown ran/g)).toHaveLength(1);
    const lines = result.stderr.split("\n").filter((line) => line !== "");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe("SIGINT received: tearing down 1 world …");
    expect(lines[1]).toMatch(/^torn down 1 world in \d+\.\d s$/);
  });

  it("exits 143 after SIGTERM, with the same two lines", async () => {
    const result = await interrupt(["SIGTERM"]);
    expect(result.exitCode).toBe(143);
    expect(result.stderr.trim().split("\n")).toEqual([
      "SIGTERM received: tearing down 1 world …",
      expect.stringMatching(/^torn down 1 world in \d+\.\d s$/),
    ]);
  });
});
