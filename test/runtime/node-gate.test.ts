import { afterEach, describe, expect, it } from "vitest";
import { EXIT_NODE_TOO_OLD, startOnRecentNode } from "../../src/runtime/node-gate";

describe("startOnRecentNode", () => {
  const version = Object.getOwnPropertyDescriptor(process.versions, "node");
  afterEach(() => {
    if (version) Object.defineProperty(process.versions, "node", version);
    process.exitCode = undefined;
  });

  function pretend(node: string) {
    Object.defineProperty(process.versions, "node", { value: node, configurable: true });
  }

  it("starts nothing and exits 3 on Node.js older than 18", () => {
    pretend("12.22.9");
    let started = false;
    startOnRecentNode(async () => {
      started = true;
    });
    expect(started).toBe(false);
    expect(process.exitCode).toBe(EXIT_NODE_TOO_OLD);
  });

  it("starts the work on Node.js 18 and later, and turns its failure into exit 1", async () => {
    pretend("18.0.0");
    let failed: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      failed = resolve;
    });
    startOnRecentNode(async () => {
      setImmediate(failed);
      throw new Error("boom");
    });
    await done;
    expect(process.exitCode).toBe(1);
  });
});
