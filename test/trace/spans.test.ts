import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TRACE_VARIABLE, traced } from "../../src/trace/spans";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "trace-"));
});
afterEach(() => {
  delete process.env[TRACE_VARIABLE];
  rmSync(dir, { recursive: true, force: true });
});

describe("traced", () => {
  it("only runs the work when FLANNEL_CHARM_TRACE is unset", async () => {
    expect(await traced("etcd", async () => 42)).toBe(42);
    expect(() => readFileSync(join(dir, "spans.jsonl"))).toThrow();
  });

  it("appends one line per span, also for work that fails", async () => {
    const file = join(dir, "spans.jsonl");
    process.env[TRACE_VARIABLE] = file;
    await traced("systemctl", async () => "ok");
    await expect(traced("lease-wait", () => Promise.reject(new Error("no lease")))).rejects.toThrow(
      "no lease",
    );
    const spans = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(spans.map((s) => [s.span, typeof s.ms, Object.keys(s)])).toEqual([
      ["systemctl", "number", ["span", "ms"]],
      ["lease-wait", "number", ["span", "ms"]],
    ]);
  });

  it("never fails the work when the trace file cannot be written", async () => {
    process.env[TRACE_VARIABLE] = join(dir, "missing-dir", "spans.jsonl");
    expect(await traced("etcd", async () => "done")).toBe("done");
  });
});
