import { checkEmpty } from "./flags";
import type { Model, Status, StatusName } from "./model";
import { chooseFormat, formatFlag } from "./output";
import { currentHook, type Tool, warnDeprecatedFormat } from "./tool";
import { ToolError, usageError } from "./tool-error";

const settable = ["maintenance", "blocked", "waiting", "active"];
const notLeader = "this unit is not the leader";

export const statusSet: Tool = {
  flags: [
    {
      names: ["application"],
      bool: true,
      doc: "set this status for the application to which the unit belongs if the unit is the leader",
    },
  ],
  mutates: true,
  args: "<maintenance | blocked | waiting | active> [message]",
  purpose: "set status information",
  run: ({ flags, args, io, model }) => {
    const [status, message = "", ...rest] = args;
    if (status === undefined) throw usageError("invalid args, require <status> [message]");
    if (!settable.includes(status)) {
      throw usageError(`invalid status "${status}", expected one of [${settable.join(" ")}]`);
    }
    checkEmpty(rest);
    const app = flags.values.has("application");
    if (app && !model.leader) throw new ToolError(notLeader);
    const entry: Status = { status: status as StatusName, message };
    if (app) model.appStatus = entry;
    else model.unitStatus = entry;
    model.statusHistory.push({ ...entry, target: app ? "application" : "unit", hook: currentHook(io) });
  },
};

function details(status: Status, includeData: boolean): Record<string, unknown> {
  if (!includeData) return { status: status.status };
  return { message: status.message, status: status.status, "status-data": status.data ?? {} };
}

function applicationStatus(model: Model, includeData: boolean): Record<string, unknown> {
  const units = { [model.unitName]: details(model.unitStatus, includeData) };
  return { "application-status": { ...details(model.appStatus, includeData), units } };
}

export const statusGet: Tool = {
  flags: [formatFlag, { names: ["include-data"], bool: true }, { names: ["application"], bool: true }],
  formatted: true,
  args: "[--include-data] [--application]",
  purpose: "print status information",
  run: ({ flags, args, model }) => {
    checkEmpty(args);
    const includeData = flags.values.has("include-data");
    const smart = chooseFormat(flags) === "smart";
    if (flags.values.has("application")) {
      if (!model.leader) throw new ToolError(`finding application status: ${notLeader}`);
      if (!includeData && smart) return model.appStatus.status;
      return applicationStatus(model, includeData);
    }
    if (!includeData && smart) return model.unitStatus.status;
    return details(model.unitStatus, includeData);
  },
};

export const applicationVersionSet: Tool = {
  flags: [],
  args: "<new-version>",
  purpose: "specify which version of the application is deployed",
  mutates: true,
  run: ({ args, model }) => {
    const [version, ...rest] = args;
    if (version === undefined) throw usageError("no version specified");
    checkEmpty(rest);
    model.applicationVersion = version;
  },
};

const levels = ["TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];

/** loggo's level names, case-insensitive, with WARN accepted for WARNING. */
function parseLevel(text: string): string | undefined {
  const upper = text.toUpperCase();
  if (upper === "WARN") return "WARNING";
  return levels.includes(upper) ? upper : undefined;
}

export const jujuLog: Tool = {
  flags: [{ names: ["debug"], bool: true }, { names: ["l", "log-level"], default: "INFO" }, formatFlag],
  mutates: true,
  args: "<message>",
  purpose: "write a message to the juju log",
  run: (call) => {
    const { flags, args, io, model } = call;
    if (args.length === 0) throw usageError("no message specified");
    warnDeprecatedFormat(call, "juju-log");
    const hook = currentHook(io);
    const requested = String(flags.values.get("l") ?? "INFO");
    let level = flags.values.has("debug") ? "DEBUG" : parseLevel(requested);
    if (level === undefined) {
      model.logs.push({
        level: "WARNING",
        message: `Specified log level of "${requested}" is not valid`,
        hook,
      });
      level = "INFO";
    }
    // Juju prefixes messages logged from a relation hook with the relation's id, e.g. "etcd:3: ".
    const prefix = io.env.JUJU_RELATION_ID ? `${io.env.JUJU_RELATION_ID}: ` : "";
    model.logs.push({ level, message: `${prefix}${args.join(" ")}`, hook });
  },
};
