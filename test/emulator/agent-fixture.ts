import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
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

/** Runs `argv` as a hook does: the jujuc client under the tool's name, in the agent's context `contextId`. */
export function callTool(fixture: AgentFixture, contextId: string, argv: string[], cwd: string, stdin = "") {
  const [name = "", ...args] = argv;
  return execa(join(fixture.binDir, name), args, {
    cwd,
    env: {
      JUJU_AGENT_SOCKET_ADDRESS: fixture.agent.socketPath,
      JUJU_AGENT_SOCKET_NETWORK: "unix",
      JUJU_CONTEXT_ID: contextId,
    },
    extendEnv: false,
    input: stdin,
    reject: false,
    stripFinalNewline: false,
  });
}
