import { parseFlags, wantsHelp } from "./flags";
import { renderHelp } from "./help";
import type { Model } from "./model";
import { chooseFormat, deliver, outputFlag, render } from "./output";
import type { Tool, ToolIo } from "./tool";
import { ToolError } from "./tool-error";
import { tools } from "./tool-table";

export { tools };
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

function flagsOf(tool: Tool) {
  return tool.formatted ? [...tool.flags, outputFlag] : tool.flags;
}

function runTool(name: string, tool: Tool, argv: string[], io: ToolIo, model: Model): string {
  const specs = flagsOf(tool);
  if (wantsHelp(argv)) return renderHelp(name, tool, specs, io, model);
  const flags = parseFlags(argv, specs);
  const format = tool.formatted ? chooseFormat(flags) : "smart";
  const value = tool.run({ flags, args: flags.args, io, model });
  if (tool.formatted) return deliver(flags, io.cwd, render(format, value));
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
    const stdout = runTool(name, tool, argv, { ...io, warn }, working);
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
