import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import { checkEmpty, type FlagSpec } from "./flags";
import { appName, findRelation, isPeer, type Relation, relationKey } from "./model";
import { formatFlag } from "./output";
import { type Tool, type ToolCall, warnDeprecatedFormat } from "./tool";
import { ToolError, usageError } from "./tool-error";

const relationFlag: FlagSpec = { names: ["r", "relation"] };
const appFlag: FlagSpec = { names: ["app"], bool: true };

/** The last `:`-separated part is the id, so both `3` and `etcd:3` work, as in Juju. */
function parseRelationId(text: string): number {
  const tail = text.slice(text.lastIndexOf(":") + 1);
  return /^-?[0-9]+$/.test(tail) ? Number(tail) : Number.NaN;
}

/** The relation named by -r, else the hook's own relation (JUJU_RELATION_ID). */
function chooseRelation(call: ToolCall): Relation {
  const raw = call.flags.values.get("r");
  if (typeof raw === "string") {
    const option = call.flags.spelled.get("r") ?? "-r";
    const id = parseRelationId(raw);
    if (Number.isNaN(id))
      throw usageError(`invalid value "${raw}" for option ${option}: invalid relation id`);
    const found = findRelation(call.model, id);
    if (!found) throw usageError(`invalid value "${raw}" for option ${option}: unknown relation id`);
    return found;
  }
  const fromEnv = call.io.env.JUJU_RELATION_ID;
  const found = fromEnv ? findRelation(call.model, parseRelationId(fromEnv)) : undefined;
  if (!found) throw usageError("no relation id specified");
  return found;
}

/** Juju's defaulting: explicit unit/app, else the remote unit, else the remote app of the hook. */
function chooseTarget(call: ToolCall, given: string | undefined): { name: string; app: boolean } {
  const app = call.flags.values.has("app");
  const { JUJU_REMOTE_UNIT: remoteUnit, JUJU_REMOTE_APP: remoteApp } = call.io.env;
  if (given !== undefined) return { name: app && given.includes("/") ? appName(given) : given, app };
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

/** Juju's keyvalues.Parse: every argument is key=value, each key once. */
function parseKeyValues(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq <= 0) throw usageError(`expected "key=value", got "${arg}"`);
    const key = arg.slice(0, eq);
    if (key in out) throw usageError(`key "${key}" specified more than once`);
    out[key] = arg.slice(eq + 1);
  }
  return out;
}

/** The --file YAML map (or stdin for `-`); scalar values are stored as strings. */
function readSettingsFile(call: ToolCall, path: string): Record<string, string> {
  let text: string;
  try {
    text = path === "-" ? call.io.readStdin() : readFileSync(resolve(call.io.cwd, path), "utf8");
  } catch (error) {
    // Stdin is the client's to give (the agent asks for it); only a file can be missing.
    if (path === "-") throw error;
    throw new ToolError(`open ${path}: no such file or directory`);
  }
  const parsed = (parse(text) ?? {}) as Record<string, unknown>;
  if (typeof parsed !== "object" || Array.isArray(parsed))
    throw new ToolError("settings file is not a YAML map");
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, v === null ? "" : String(v)]));
}

export const relationSet: Tool = {
  flags: [relationFlag, appFlag, { names: ["file"] }, formatFlag],
  mutates: true,
  run: (call) => {
    const relation = chooseRelation(call);
    const overrides = parseKeyValues(call.args);
    warnDeprecatedFormat(call, "relation-set");
    const file = call.flags.values.get("file");
    const settings = typeof file === "string" ? { ...readSettingsFile(call, file), ...overrides } : overrides;
    const app = call.flags.values.has("app");
    if (app && !call.model.leader) throw new ToolError("cannot write relation settings");
    const bag = app ? relation.localAppData : relation.localUnitData;
    for (const [key, value] of Object.entries(settings)) {
      if (value === "") delete bag[key];
      else bag[key] = value;
    }
  },
};

export const relationIds: Tool = {
  flags: [formatFlag],
  formatted: true,
  run: ({ args, io, model }) => {
    const [given, ...rest] = args;
    const name = given ?? io.env.JUJU_RELATION;
    if (!name) throw usageError("no relation name specified");
    checkEmpty(rest);
    return model.relations
      .filter((r) => r.name === name)
      .map(relationKey)
      .sort();
  },
};

export const relationList: Tool = {
  flags: [formatFlag, relationFlag, appFlag],
  formatted: true,
  run: (call) => {
    const relation = chooseRelation(call);
    checkEmpty(call.args);
    if (call.flags.values.has("app")) return relation.remoteApp;
    return Object.keys(relation.remoteUnits).sort();
  },
};
