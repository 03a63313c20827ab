import { checkEmpty, type FlagSpec, type ParsedFlags } from "./flags";
import { appName, type SecretRecord } from "./model";
import { formatFlag } from "./output";
import { readArgumentFile } from "./relation-args";
import {
  addSecret,
  canManage,
  contentAt,
  findSecret,
  isGranted,
  isOwner,
  latestRevision,
  newSecretId,
  parseSecretArgs,
  parseSecretFile,
  parseSecretUri,
  queueObsolete,
  secretUri,
} from "./secrets";
import type { Tool, ToolCall } from "./tool";
import { ToolError, usageError } from "./tool-error";

const policies = ["never", "hourly", "daily", "weekly", "monthly", "quarterly", "yearly"];
const durationRule = /^-?(?:[0-9]+(?:\.[0-9]+)?(?:ns|us|µs|ms|s|m|h))+$/;
const timeRule =
  /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[-+][0-9]{2}:[0-9]{2})?$/;
const permissionDenied = () => new ToolError("permission denied");

const updateFlags: FlagSpec[] = [
  { names: ["label"], doc: "a label used to identify the secret in hooks" },
  { names: ["description"], doc: "the secret description" },
  { names: ["expire"], doc: "either a duration or time when the secret should expire" },
  { names: ["rotate"], doc: "the secret rotation policy" },
  { names: ["file"], doc: "a YAML file containing secret key values" },
];

function text(flags: ParsedFlags, name: string): string | undefined {
  const value = flags.values.get(name);
  return typeof value === "string" ? value : undefined;
}

/** --expire: a positive Go duration from now, or a time; --rotate: one of Juju's policies. */
function checkUpdateFlags(flags: ParsedFlags): { expireTime?: string; rotatePolicy?: string } {
  const expire = text(flags, "expire");
  const rotate = text(flags, "rotate");
  if (rotate !== undefined && !policies.includes(rotate))
    throw usageError(`rotate policy "${rotate}" not valid`);
  let expireTime: string | undefined;
  if (expire !== undefined) {
    if (durationRule.test(expire) && expire.startsWith("-"))
      throw usageError(`negative expire duration "${expire}" not valid`);
    if (!durationRule.test(expire) && !timeRule.test(expire))
      throw usageError(`expire time or duration "${expire}" not valid`);
    expireTime = expire;
  }
  return { expireTime, rotatePolicy: rotate };
}

/** The new content from arguments and --file; undefined when neither gives any. */
function readContent(call: ToolCall, args: string[]): Record<string, string> | undefined {
  const fromArgs = parseSecretArgs(args);
  const file = text(call.flags, "file");
  const fromFile = file === undefined ? {} : parseSecretFile(readArgumentFile(call, file));
  const content = { ...fromFile, ...fromArgs };
  return Object.keys(content).length > 0 ? content : undefined;
}

function applyMetadata(
  secret: SecretRecord,
  flags: ParsedFlags,
  checked: ReturnType<typeof checkUpdateFlags>,
) {
  const label = text(flags, "label");
  const description = text(flags, "description");
  if (label !== undefined) secret.label = label;
  if (description !== undefined) secret.description = description;
  if (checked.rotatePolicy !== undefined) secret.rotatePolicy = checked.rotatePolicy;
  if (checked.expireTime !== undefined) secret.expireTime = checked.expireTime;
}

function checkLabelFree(call: ToolCall, label: string | undefined, except?: SecretRecord): void {
  if (label === undefined) return;
  const taken = (call.model.secrets ?? []).some(
    (s) => s !== except && isOwner(call.model, s) && s.label === label,
  );
  if (taken) throw new ToolError(`secret with label "${label}" already exists`);
}

export const secretAdd: Tool = {
  flags: [
    ...updateFlags,
    {
      names: ["owner"],
      default: "application",
      doc: "the owner of the secret, either the application or unit",
    },
  ],
  mutates: true,
  args: "[key[#base64|#file]=value...]",
  purpose: "Add a new secret.",
  run: (call) => {
    const checked = checkUpdateFlags(call.flags);
    const owner = text(call.flags, "owner") ?? "application";
    if (owner !== "application" && owner !== "unit") throw usageError(`secret owner "${owner}" not valid`);
    if (call.args.length === 0 && !call.flags.values.has("file"))
      throw usageError("missing secret value or filename");
    const content = readContent(call, call.args) ?? {};
    const { model } = call;
    if (owner === "application" && !model.leader) throw new ToolError("this unit is not the leader");
    checkLabelFree(call, text(call.flags, "label"));
    const ownerName = owner === "unit" ? model.unitName : appName(model.unitName);
    const secret: SecretRecord = {
      id: newSecretId(),
      ownerKind: owner,
      ownerName,
      revisions: [{ revision: 1, content }],
      grants: [],
      consumers: {},
    };
    applyMetadata(secret, call.flags, checked);
    addSecret(model, secret);
    return `${secretUri(secret.id)}\n`;
  },
};

/** The revision this unit reads: the owner always the latest; a consumer its tracked one (peek/refresh). */
function readRevision(call: ToolCall, secret: SecretRecord): number {
  const { model, flags } = call;
  const latest = latestRevision(secret);
  if (isOwner(model, secret)) return latest;
  if (!isGranted(model, secret)) throw new ToolError("permission denied");
  if (flags.values.has("peek")) return latest;
  const tracked = secret.consumers[model.unitName];
  if (tracked === undefined || flags.values.has("refresh")) {
    secret.consumers[model.unitName] = latest;
    return latest;
  }
  return tracked;
}

function decode(content: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(content).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]),
  );
}

export const secretGet: Tool = {
  flags: [
    formatFlag,
    { names: ["label"] },
    { names: ["peek"], bool: true },
    { names: ["refresh"], bool: true },
  ],
  formatted: true,
  mutates: true,
  args: "<ID> [key[#base64]]",
  purpose: "Get the content of a secret.",
  run: (call) => {
    const [uri, key, ...rest] = call.args;
    const label = text(call.flags, "label");
    if (call.flags.values.has("peek") && call.flags.values.has("refresh"))
      throw usageError("specify one of --peek or --refresh but not both");
    if (uri === undefined && label === undefined) throw usageError("require either a secret URI or label");
    const id = uri === undefined ? undefined : parseSecretUri(uri);
    checkEmpty(rest);
    const secret = findSecret(call.model, id, id ? undefined : label);
    const content = contentAt(secret, readRevision(call, secret));
    // A label given with a URI names the secret for later lookups (the owner's or this consumer's label).
    if (id && label !== undefined) {
      if (isOwner(call.model, secret)) secret.label = label;
      else secret.consumerLabel = label;
    }
    if (key === undefined) return decode(content);
    const name = key.endsWith("#base64") ? key.slice(0, -"#base64".length) : key;
    const value = content[name];
    if (value === undefined) throw new ToolError(`secret key "${name}" not found`);
    return name === key ? Buffer.from(value, "base64").toString("utf8") : value;
  },
};

/** The secret named by the first argument, which this unit may manage. */
function managedSecret(call: ToolCall): { secret: SecretRecord; rest: string[] } {
  const [uri, ...rest] = call.args;
  if (uri === undefined) throw usageError("missing secret URI");
  const id = parseSecretUri(uri);
  const secret = findSecret(call.model, id, undefined);
  if (!canManage(call.model, secret)) throw permissionDenied();
  return { secret, rest };
}

export const secretSet: Tool = {
  flags: updateFlags,
  mutates: true,
  args: "<ID> [key[#base64]=value...]",
  purpose: "Update an existing secret.",
  run: (call) => {
    const [uri, ...args] = call.args;
    if (uri === undefined) throw usageError("missing secret URI");
    parseSecretUri(uri);
    const checked = checkUpdateFlags(call.flags);
    const content = readContent(call, args);
    const { secret } = managedSecret(call);
    checkLabelFree(call, text(call.flags, "label"), secret);
    applyMetadata(secret, call.flags, checked);
    const latest = latestRevision(secret);
    // Juju makes a new revision only when the content changes.
    if (content && JSON.stringify(content) !== JSON.stringify(contentAt(secret, latest))) {
      secret.revisions.push({ revision: latest + 1, content });
      queueObsolete(call.model, secret);
    }
  },
};

export const secretRemove: Tool = {
  flags: [{ names: ["revision"], doc: "remove the specified revision" }],
  mutates: true,
  args: "<ID>",
  purpose: "Remove an existing secret.",
  run: (call) => {
    const [uri] = call.args;
    if (uri === undefined) throw usageError("missing secret URI");
    parseSecretUri(uri);
    const { secret, rest } = managedSecret(call);
    checkEmpty(rest);
    const raw = text(call.flags, "revision");
    const { model } = call;
    if (raw === undefined) {
      model.secrets = (model.secrets ?? []).filter((s) => s !== secret);
      return;
    }
    const revision = Number(raw);
    contentAt(secret, revision);
    secret.revisions = secret.revisions.filter((r) => r.revision !== revision);
    if (secret.revisions.length === 0) model.secrets = (model.secrets ?? []).filter((s) => s !== secret);
  },
};
