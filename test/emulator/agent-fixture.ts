import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { JUJUC_CLIENT } from "../support/paths";
import { Agent } from "./agent";
import { installHookTools } from "./install";

/** A running agent and the hook tools (the real jujuc client under each tool's name) in a scratch dir. */
export interface AgentFixture {
  readonly root: string;
  readonly binDir: string;
  readonly agent: Agent;
}

/** Starts the agent before the file's tests and removes it and its directory after them. */
export function useAgent(prefix: string): AgentFixture {
  const fixture = {} as { root: string; binDir: string; agent: Agent };
  beforeAll(async () => {
    fixture.root = mkdtempSync(join(tmpdir(), prefix));
    fixture.binDir = join(fixture.root, "bin");
    installHookTools(fixture.binDir, JUJUC_CLIENT);
    fixture.agent = await Agent.start(join(fixture.root, "agent.socket"));
  });
  afterAll(async () => {
    await fixture.agent?.close();
    if (fixture.root) rmSync(fixture.root, { recursive: true, force: true });
  });
  return fixture;
}
