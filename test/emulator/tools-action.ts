import { checkEmpty } from "./flags";
import type { Model, PendingAction } from "./model";
import { formatFlag } from "./output";
import type { Tool } from "./tool";
import { ToolError, usageError } from "./tool-error";

const keyRule = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const reserved = ["stdout", "stdout-encoding", "stderr", "stderr-encoding"];

function checkKey(key: string): void {
  if (!keyRule.test(key)) {
    throw usageError(
      `key "${key}" must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric, hyphens and periods`,
    );
  }
}

/** Action tools only work in an action's context, as in Juju. */
function runningAction(model: Model): PendingAction {
  if (!model.action) throw new ToolError("not running an action");
  return model.action;
}

function lookup(value: unknown, path: string[]): unknown {
  let node = value;
  for (const key of path) {
    if (node === null || typeof node !== "object" || !(key in node)) return null;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

export const actionGet: Tool = {
  args: "[<key>[.<key>.<key>...]]",
  purpose: "get action parameters",
  flags: [formatFlag],
  formatted: true,
  run: ({ args, model }) => {
    const [key, ...rest] = args;
    checkEmpty(rest);
    const path = key === undefined ? [] : key.split(".");
    path.forEach(checkKey);
    return lookup(runningAction(model).params, path);
  },
};

/** Parses `a.b.c=v` into a key path and value, checking every key like Juju. */
function parseResult(arg: string): { path: string[]; value: string } {
  const eq = arg.indexOf("=");
  if (eq < 0) throw usageError(`argument "${arg}" must be of the form key...=value`);
  const path = arg.slice(0, eq).split(".");
  path.forEach(checkKey);
  if (reserved.includes(path[0] as string)) throw usageError(`cannot set reserved action key "${path[0]}"`);
  return { path, value: arg.slice(eq + 1) };
}

function setPath(target: Record<string, unknown>, path: string[], value: string): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== "object") node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

export const actionSet: Tool = {
  args: "<key>=<value> [<key>=<value> ...]",
  purpose: "set action results",
  flags: [],
  mutates: true,
  run: ({ args, model }) => {
    const parsed = args.map(parseResult);
    const action = runningAction(model);
    for (const { path, value } of parsed) setPath(action.results, path, value);
  },
};

export const actionFail: Tool = {
  args: '["<failure message>"]',
  purpose: "set action fail status with message",
  flags: [],
  mutates: true,
  run: ({ args, model }) => {
    const [message = "action failed without reason given, check action for errors", ...rest] = args;
    checkEmpty(rest);
    const action = runningAction(model);
    action.failed = true;
    action.message = message;
  },
};

export const actionLog: Tool = {
  args: "<message>",
  purpose: "record a progress message for the current action",
  flags: [],
  mutates: true,
  run: ({ args, model }) => {
    if (args.length === 0) throw usageError("no message specified");
    runningAction(model).logs.push(args.join(" "));
  },
};
