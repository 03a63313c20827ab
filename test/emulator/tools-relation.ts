import { checkEmpty, type FlagSpec } from "./flags";
import { appName, isPeer, type Relation, relationKey } from "./model";
import { formatFlag } from "./output";
import {
  chooseRelation,
  hookRelation,
  isValidApplication,
  isValidUnit,
  parseKeyValues,
  parseStringMap,
  readArgumentFile,
  relationFlag,
} from "./relation-args";
import { type Tool, type ToolCall, type ToolIo, warnDeprecatedFormat } from "./tool";
import { ToolError, usageError } from "./tool-error";

const appFlag: FlagSpec = { names: ["app"], bool: true };

/** An explicit unit (or, with --app, application) name, checked as Juju's relation-get Init checks it. */
function explicitTarget(given: string, app: boolean): { name: string; app: boolean } {
  if (app) return { name: isValidUnit(given) ? appName(given) : given, app };
  if (isValidUnit(given)) return { name: given, app };
  if (isValidApplication(given)) throw usageError(`expected unit name, got application name "${given}"`);
  throw usageError(`invalid unit name "${given}"`);
}

/** Juju's defaulting: explicit unit/app, else the remote unit, else the remote app of the hook. */
function chooseTarget(call: ToolCall, given: string | undefined): { name: string; app: boolean } {
  const app = call.flags.values.has("app");
  const { JUJU_REMOTE_UNIT: remoteUnit, JUJU_REMOTE_APP: remoteApp } = call.io.env;
  if (given !== undefined) return explicitTarget(given, app);
  if (app && remoteApp) return { name: remoteApp, app };
  if (!app && remoteUnit) return { name: remoteUnit, app };
  if (!app && remoteApp) return { name: remoteApp, app: true };
  throw usageError("no unit or application specified");
}

function readAppData(call: ToolCall, relation: Relation, name: string): Record<string, string> {
  const local = appName(call.model.unitName);
  if (name === local) {
    // Every unit reads its application's bag in a peer relation; elsewhere only the leader does.
    if (!call.model.leader && !isPeer(call.model, relation)) throw new ToolError("permission denied");
    return relation.localAppData;
  }
  if (name === relation.remoteApp) return relation.remoteAppData;
  throw new ToolError(
    `cannot read settings for application "${name}" in relation "${relationKey(relation)}"`,
  );
}

function readUnitData(call: ToolCall, relation: Relation, name: string): Record<string, string> {
  if (name === call.model.unitName) return relation.localUnitData;
  // A departing unit's settings stay readable during its -departed hook.
  const data = relation.remoteUnits[name] ?? relation.departedUnits?.[name];
  if (data) return data;
  throw new ToolError(
    `cannot read settings for unit "${name}" in relation "${relationKey(relation)}": unit "${name}": settings not found`,
  );
}

export const relationGet: Tool = {
  flags: [formatFlag, relationFlag, appFlag],
  formatted: true,
  args: (io) => (io.env.JUJU_REMOTE_UNIT ? "[<key> [<unit id>]]" : "<key> <unit id>"),
  purpose: "get relation settings",
  details: (io) =>
    io.env.JUJU_REMOTE_UNIT ? `Current default unit id is "${io.env.JUJU_REMOTE_UNIT}".` : "",
  run: (call) => {
    const relation = chooseRelation(call);
    const [rawKey, given, ...rest] = call.args;
    const key = rawKey === "-" ? undefined : rawKey;
    const target = chooseTarget(call, given);
    checkEmpty(rest);
    const data = target.app
      ? readAppData(call, relation, target.name)
      : readUnitData(call, relation, target.name);
    if (key === undefined) return data;
    return data[key] ?? null;
  },
};

export const relationSet: Tool = {
  flags: [relationFlag, appFlag, { names: ["file"] }, formatFlag],
  mutates: true,
  args: "key=value [key=value ...]",
  purpose: "set relation settings",
  run: (call) => {
    const relation = chooseRelation(call);
    const overrides = parseKeyValues(call.args);
    warnDeprecatedFormat(call, "relation-set");
    const file = call.flags.values.get("file");
    const fromFile = typeof file === "string" ? parseStringMap(readArgumentFile(call, file)) : {};
    const settings = { ...fromFile, ...overrides };
    const app = call.flags.values.has("app");
    if (app && !call.model.leader) throw new ToolError("cannot write relation settings");
    const bag = app ? relation.localAppData : relation.localUnitData;
    for (const [key, value] of Object.entries(settings)) {
      if (value === "") delete bag[key];
      else bag[key] = value;
    }
  },
};

const notBroken = "Only relation ids for relations which are not broken are included.";

export const relationIds: Tool = {
  flags: [formatFlag],
  formatted: true,
  args: (io: ToolIo) => (io.env.JUJU_RELATION ? "[<name>]" : "<name>"),
  purpose: "list all relation ids for the given endpoint",
  details: (io) =>
    io.env.JUJU_RELATION
      ? `Current default endpoint name is "${io.env.JUJU_RELATION}".\n${notBroken}`
      : notBroken,
  run: ({ args, io, model }) => {
    const [given, ...rest] = args;
    const name = given ?? io.env.JUJU_RELATION;
    if (!name) throw usageError("no endpoint name specified");
    checkEmpty(rest);
    return model.relations
      .filter((r) => r.name === name)
      .sort((a, b) => a.id - b.id)
      .map(relationKey);
  },
};

export const relationList: Tool = {
  flags: [formatFlag, relationFlag, appFlag],
  formatted: true,
  purpose: "list relation units",
  details: (io, model) =>
    hookRelation({ io, model } as ToolCall) ? "" : "-r must be specified when not in a relation hook",
  run: (call) => {
    const relation = chooseRelation(call);
    checkEmpty(call.args);
    if (call.flags.values.has("app")) return relation.remoteApp;
    return Object.keys(relation.remoteUnits).sort();
  },
};
