import { parseFlags } from "./flags";
import type { Model } from "./model";
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

/** What a tool call does to the model: the model after it (the same object when the tool only reads). */
export interface ToolOutcome extends ToolResult {
  model: Model;
}

function runTool(tool: Tool, argv: string[], io: ToolIo, model: Model): string {
  const flags = parseFlags(argv, tool.flags);
  const format = tool.formatted ? chooseFormat(flags) : "smart";
  const value = tool.run({ flags, args: flags.args, io, model });
  if (tool.formatted) return render(format, value);
  return typeof value === "string" ? value : "";
}

/**
 * Runs one hook tool against the unit's model; every failure becomes Juju's `ERROR ...` line and exit
 * code. A tool that writes works on a copy, so a failed call changes nothing (as a failed call never
 * reaches the controller). Errors that are not the tool's (NeedStdin) propagate to the caller.
 */
export function callTool(name: string, argv: string[], io: ToolIo, model: Model): ToolOutcome {
  let stderr = "";
  const warn = (text: string) => {
    stderr += text;
  };
  const tool = tools[name];
  if (!tool) return { exitCode: 1, stdout: "", stderr: `ERROR unknown command: ${name}\n`, model };
  const working = tool.mutates ? structuredClone(model) : model;
  try {
    const stdout = runTool(tool, argv, { ...io, warn }, working);
    return { exitCode: 0, stdout, stderr, model: working };
  } catch (error) {
    if (error instanceof NeedStdin) throw error;
    const exitCode = error instanceof ToolError ? error.exitCode : 1;
    const message = error instanceof Error ? error.message : String(error);
    return { exitCode, stdout: "", stderr: `${stderr}ERROR ${message}\n`, model };
  }
}

/** Thrown by ToolIo.readStdin when the client has not sent its stdin yet: the agent asks for it. */
export class NeedStdin extends Error {
  constructor() {
    super("the tool reads stdin");
    this.name = "NeedStdin";
  }
}
