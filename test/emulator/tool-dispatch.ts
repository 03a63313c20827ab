import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseFlags } from "./flags";
import { DEFAULT_MODEL_PATH, readModel, writeModel } from "./model";
import { chooseFormat, render } from "./output";
import type { Tool, ToolIo } from "./tool";
import { ToolError } from "./tool-error";
import { actionFail, actionGet, actionLog, actionSet } from "./tools-action";
import { networkGet } from "./tools-network";
import { closePort, openedPorts, openPort } from "./tools-ports";
import { relationGet, relationIds, relationList, relationSet } from "./tools-relation";
import { applicationVersionSet, jujuLog, statusGet, statusSet } from "./tools-status";
import { configGet, isLeader, resourceGet, unitGet } from "./tools-unit";

export const tools: Record<string, Tool> = {
  "config-get": configGet,
  "relation-get": relationGet,
  "relation-set": relationSet,
  "relation-ids": relationIds,
  "relation-list": relationList,
  "unit-get": unitGet,
  "network-get": networkGet,
  "status-set": statusSet,
  "status-get": statusGet,
  "application-version-set": applicationVersionSet,
  "juju-log": jujuLog,
  "open-port": openPort,
  "close-port": closePort,
  "opened-ports": openedPorts,
  "resource-get": resourceGet,
  "is-leader": isLeader,
  "action-get": actionGet,
  "action-set": actionSet,
  "action-fail": actionFail,
  "action-log": actionLog,
};

export const toolNames = Object.keys(tools);

export interface ToolResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function runTool(tool: Tool, argv: string[], io: ToolIo, modelPath: string): string {
  const flags = parseFlags(argv, tool.flags);
  const format = tool.formatted ? chooseFormat(flags) : "smart";
  const model = readModel(modelPath);
  const value = tool.run({ flags, args: flags.args, io, model });
  if (tool.mutates) writeModel(modelPath, model);
  if (tool.formatted) return render(format, value);
  return typeof value === "string" ? value : "";
}

/**
 * The model file: JUJU_EMULATOR_MODEL (set in every hook), else the one a booted machine keeps, so that
 * `status-get` typed by hand inside a machine works as `juju exec --unit … -- status-get` would.
 */
export function findModelPath(env: NodeJS.ProcessEnv, fallback = DEFAULT_MODEL_PATH): string {
  const fromEnv = env.JUJU_EMULATOR_MODEL;
  if (fromEnv) return fromEnv;
  if (existsSync(fallback)) return fallback;
  throw new Error(
    `JUJU_EMULATOR_MODEL is not set and there is no ${fallback}: set JUJU_EMULATOR_MODEL to the unit's model file (JUJU_EMULATOR_MODEL=/path/to/model.json status-get)`,
  );
}

/** Runs one hook tool in-process; every failure becomes Juju's `ERROR ...` line and exit code. */
export function callTool(
  name: string,
  argv: string[],
  io: ToolIo,
  fallbackModel = DEFAULT_MODEL_PATH,
): ToolResult {
  let stderr = "";
  const warn = (text: string) => {
    stderr += text;
  };
  const tool = tools[name];
  if (!tool) return { exitCode: 1, stdout: "", stderr: `ERROR unknown command: ${name}\n` };
  try {
    const modelPath = findModelPath(io.env, fallbackModel);
    const stdout = runTool(tool, argv, { ...io, warn }, modelPath);
    return { exitCode: 0, stdout, stderr };
  } catch (error) {
    const exitCode = error instanceof ToolError ? error.exitCode : 1;
    const message = error instanceof Error ? error.message : String(error);
    return { exitCode, stdout: "", stderr: `${stderr}ERROR ${message}\n` };
  }
}

/** The tool name from a wrapper's explicit first argument, else from how the program was invoked. */
export function splitInvocation(argv: string[]): { name: string; args: string[] } {
  const invoked = basename(argv[1] ?? "").replace(/\.c?js$/, "");
  if (invoked in tools) return { name: invoked, args: argv.slice(2) };
  return { name: argv[2] ?? "", args: argv.slice(3) };
}

/** Process entry: runs the tool and exits with its code. */
export function mainHookTool(argv: string[]): void {
  const { name, args } = splitInvocation(argv);
  const io: ToolIo = { env: process.env, readStdin: () => readFileSync(0, "utf8"), warn: () => {} };
  const result = callTool(name, args, io);
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
}
