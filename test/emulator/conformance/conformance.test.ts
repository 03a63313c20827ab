import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { callTool, useAgent } from "../agent-fixture";
import type { Model } from "../model";
import type { ConformanceCase, ToolTable } from "./case";
import { jujuFixture } from "./fixture";
import { tables } from "./tables";

const fixture = useAgent("emu-conformance-");

// Every case of Juju's jujuc tests that the emulator can express, run through the real jujuc client
// against a fresh copy of Juju's fixture in a running agent.
let contexts = 0;

function call(dir: string, contextId: string, argv: string[], stdin: string | undefined) {
  return callTool(fixture, contextId, argv, dir, stdin ?? "");
}

async function runCase(
  c: ConformanceCase,
): Promise<{ code: number; stdout: string; stderr: string; dir: string; model: Model }> {
  const dir = mkdtempSync(join(fixture.root, "case-"));
  for (const [path, content] of Object.entries(c.files ?? {})) writeFileSync(join(dir, path), content);
  const model = jujuFixture();
  c.model?.(model);
  const contextId = `u/0-conformance-${++contexts}`;
  fixture.agent.openContext(contextId, c.env ?? {}, model);
  for (const argv of c.before ?? []) await call(dir, contextId, argv, undefined);
  const result = await call(dir, contextId, c.argv, c.stdin);
  const after = fixture.agent.closeContext(contextId).model;
  return {
    code: result.exitCode ?? -1,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
    dir,
    model: after,
  };
}

function check(c: ConformanceCase, got: Awaited<ReturnType<typeof runCase>>): void {
  if (c.parsed) {
    expect(got.code).toBe(c.code);
    const value = c.parsed.format === "json" ? JSON.parse(got.stdout) : parse(got.stdout);
    expect(value ?? null).toEqual(c.parsed.value);
  } else if (c.stdoutMatches) {
    expect(got.code).toBe(c.code);
    expect(got.stdout).toMatch(c.stdoutMatches);
  } else expect({ code: got.code, stdout: got.stdout }).toEqual({ code: c.code, stdout: c.stdout ?? "" });
  if (c.stdoutLacks) expect(got.stdout).not.toContain(c.stdoutLacks);
  if (c.stderr instanceof RegExp) expect(got.stderr).toMatch(c.stderr);
  else expect(got.stderr).toBe(c.stderr ?? "");
  if (c.file) {
    const path = join(got.dir, c.file.path);
    expect(existsSync(path)).toBe(true);
    expect(readFileSync(path, "utf8")).toBe(c.file.content);
  }
  c.after?.(got.model);
}

function describeTable(table: ToolTable): void {
  describe(table.tool, () => {
    it.each(table.cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
      check(c, await runCase(c));
    });
  });
}

for (const table of tables) describeTable(table);

it("ports at least one case for every tool the emulator has", async () => {
  const { toolNames } = await import("../tool-dispatch");
  const covered = new Set(tables.filter((t) => t.cases.length > 0).map((t) => t.tool));
  expect(toolNames.filter((name) => !covered.has(name))).toEqual([]);
});
