import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createModel, DEFAULT_MODEL_PATH, writeModel } from "./model";
import { callTool } from "./tool-dispatch";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "model-path-test-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const io = (env: Record<string, string>) => ({ env, readStdin: () => "", warn: () => {} });

describe("which model file a hook tool uses", () => {
  it("uses the machine's model file when JUJU_EMULATOR_MODEL is not set (status-get typed by hand)", () => {
    const machineModel = join(dir, "model.json");
    writeModel(machineModel, createModel({ unitStatus: { status: "active", message: "flanneld up" } }));
    const result = callTool("status-get", ["--include-data", "--format=json"], io({}), machineModel);
    expect(result).toEqual({
      exitCode: 0,
      stdout: '{"message":"flanneld up","status":"active","status-data":{}}\n',
      stderr: "",
    });
  });

  it("prefers JUJU_EMULATOR_MODEL, as in every hook", () => {
    const hookModel = join(dir, "hook.json");
    writeModel(hookModel, createModel({ unitStatus: { status: "blocked", message: "" } }));
    const result = callTool("status-get", [], io({ JUJU_EMULATOR_MODEL: hookModel }), join(dir, "none.json"));
    expect(result.stdout).toBe("blocked\n");
  });

  it("names what to set when there is neither", () => {
    const missing = join(dir, "none.json");
    const result = callTool("status-get", [], io({}), missing);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      `ERROR JUJU_EMULATOR_MODEL is not set and there is no ${missing}: set JUJU_EMULATOR_MODEL to the unit's model file (JUJU_EMULATOR_MODEL=/path/to/model.json status-get)\n`,
    );
  });

  it("defaults to where booted machines keep the model", () => {
    expect(DEFAULT_MODEL_PATH).toBe("/var/lib/juju-emulator/model.json");
  });
});
