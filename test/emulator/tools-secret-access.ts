import { checkEmpty, type ParsedFlags } from "./flags";
import { appName, type Model, type Relation, type SecretGrant, type SecretRecord } from "./model";
import { formatFlag, GoTime, goStruct } from "./output";
import { flagRelation, isValidApplication, isValidUnit } from "./relation-args";
import { canManage, findSecret, isOwner, latestRevision, parseSecretUri } from "./secrets";
import type { Tool, ToolCall } from "./tool";
import { ToolError, usageError } from "./tool-error";

const unitFlag = { names: ["unit"], doc: "the unit to grant access" };
const relationOption = { names: ["r", "relation"], doc: "the relation with which to associate the grant" };

function text(flags: ParsedFlags, name: string): string | undefined {
  const value = flags.values.get(name);
  return typeof value === "string" ? value : undefined;
}

const unitTag = (unit: string) => `unit-${unit.replace("/", "-")}`;

/** Juju's relation key: both endpoints, sorted; a peer relation has one. */
function relationScope(model: Model, relation: Relation): string {
  const local = appName(model.unitName);
  if (relation.remoteApp === local) return `${local}:${relation.name}`;
  return [`${local}:${relation.name}`, `${relation.remoteApp}:${relation.name}`].sort().join(" ");
}

/** The secret in argv[0], which this unit must be allowed to manage (checked after the usage checks). */
function secretArg(call: ToolCall): string {
  const [uri] = call.args;
  if (uri === undefined) throw usageError("missing secret URI");
  return parseSecretUri(uri);
}

function managed(model: Model, id: string): SecretRecord {
  const secret = findSecret(model, id, undefined);
  if (!canManage(model, secret)) throw new ToolError("permission denied");
  return secret;
}

export const secretGrant: Tool = {
  flags: [unitFlag, relationOption],
  mutates: true,
  args: "<ID>",
  purpose: "Grant access to a secret.",
  run: (call) => {
    const id = secretArg(call);
    const relation = flagRelation(call);
    if (!relation) throw usageError("no relation id specified");
    const unit = text(call.flags, "unit");
    if (unit !== undefined && !isValidUnit(unit)) throw usageError(`unit "${unit}" not valid`);
    if (unit !== undefined && appName(unit) !== relation.remoteApp)
      throw usageError(`cannot specify unit "${unit}" in relation to application "${relation.remoteApp}"`);
    checkEmpty(call.args.slice(1));
    const secret = managed(call.model, id);
    const target = unit ? unitTag(unit) : `application-${relation.remoteApp}`;
    const scope = relationScope(call.model, relation);
    if (!secret.grants.some((g) => g.target === target && g.relationId === relation.id))
      secret.grants.push({ target, scope, role: "view", relationId: relation.id });
  },
};

export const secretRevoke: Tool = {
  flags: [
    { names: ["app", "application"], doc: "the application to revoke access" },
    unitFlag,
    relationOption,
  ],
  mutates: true,
  args: "<ID>",
  purpose: "Revoke access to a secret.",
  run: (call) => {
    const id = secretArg(call);
    const relation = flagRelation(call);
    let app = text(call.flags, "app");
    const unit = text(call.flags, "unit");
    if (relation) app = relation.remoteApp;
    if (app === undefined && unit === undefined) throw usageError("missing relation or application or unit");
    if (app !== undefined && unit !== undefined && !relation)
      throw usageError("specify only one of application or unit");
    if (app !== undefined && !isValidApplication(app)) throw usageError(`application "${app}" not valid`);
    if (unit !== undefined && !isValidUnit(unit)) throw usageError(`unit "${unit}" not valid`);
    checkEmpty(call.args.slice(1));
    const secret = managed(call.model, id);
    const target = unit ? unitTag(unit) : `application-${app}`;
    const keep = (g: SecretGrant) =>
      g.target !== target || (relation !== undefined && g.relationId !== relation.id);
    secret.grants = secret.grants.filter(keep);
  },
};

/** The secrets this unit owns (its own and, for every unit of the application, the application's). */
function owned(model: Model): SecretRecord[] {
  return (model.secrets ?? []).filter((s) => isOwner(model, s));
}

export const secretIds: Tool = {
  flags: [formatFlag],
  formatted: true,
  purpose: "Print secret ids.",
  run: ({ args, model }) => {
    checkEmpty(args);
    return owned(model)
      .map((s) => s.id)
      .sort();
  },
};

function info(secret: SecretRecord): object {
  const access = secret.grants.map((g) => goStruct({ target: g.target, scope: g.scope, role: g.role }));
  return goStruct({
    revision: latestRevision(secret),
    label: secret.label || undefined,
    owner: secret.ownerKind,
    description: secret.description || undefined,
    expiry: secret.expireTime ? new GoTime(secret.expireTime) : undefined,
    rotation: secret.rotatePolicy || undefined,
    access: access.length > 0 ? access : undefined,
  });
}

export const secretInfoGet: Tool = {
  flags: [formatFlag, { names: ["label"] }],
  formatted: true,
  args: "<ID>",
  purpose: "Get a secret's metadata info.",
  run: (call) => {
    const [uri, ...rest] = call.args;
    const label = text(call.flags, "label");
    if (uri === undefined && label === undefined) throw usageError("require either a secret URI or label");
    if (uri !== undefined && label !== undefined)
      throw usageError("specify either a secret URI or label but not both");
    checkEmpty(rest);
    const id = uri === undefined ? undefined : parseSecretUri(uri);
    const secret = owned(call.model).find((s) => (id ? s.id === id : s.label === label));
    if (!secret) throw new ToolError(`secret "${id ?? label}" not found`);
    return { [secret.id]: info(secret) };
  },
};
