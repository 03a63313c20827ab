// The controller's side of Juju secrets for one unit: ids, lookups, access and revisions. Secrets live in
// the unit's model (written 0600), never in a file others can read.
import { randomBytes } from "node:crypto";
import { parse } from "yaml";
import { appName, type HookEvent, type Model, type SecretRecord } from "./model";
import { ToolError, usageError } from "./tool-error";

const base32hex = "0123456789abcdefghijklmnopqrstuv";

/** A new xid-shaped id: 12 random bytes in base32hex, 20 characters, as Juju's secret ids are. */
export function newSecretId(): string {
  const bytes = randomBytes(12);
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += base32hex[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out + base32hex[(value << (5 - bits)) & 31];
}

/** Juju's secrets.ParseURI forms: `secret:ID`, `secret://MODEL-UUID/ID`, or the bare 20-character ID. */
export function parseSecretUri(text: string): string {
  const match = /^(?:secret:(?:\/\/[0-9a-f-]+\/)?)?([0-9a-v]{20})$/.exec(text);
  if (!match) throw usageError(`secret URI "${text}" not valid`);
  return match[1] as string;
}

export const secretUri = (id: string) => `secret:${id}`;

export function latestRevision(secret: SecretRecord): number {
  return secret.revisions.at(-1)?.revision ?? 0;
}

export function contentAt(secret: SecretRecord, revision: number): Record<string, string> {
  const found = secret.revisions.find((r) => r.revision === revision);
  if (!found) throw new ToolError(`secret revision ${revision} for "${secret.id}" not found`);
  return found.content;
}

/** This unit owns the secret: its application's (any unit reads, only the leader manages) or its own. */
export function isOwner(model: Model, secret: SecretRecord): boolean {
  if (secret.ownerKind === "unit") return secret.ownerName === model.unitName;
  return secret.ownerName === appName(model.unitName);
}

export function canManage(model: Model, secret: SecretRecord): boolean {
  return isOwner(model, secret) && (secret.ownerKind === "unit" || model.leader);
}

/** A grant covers this unit when it names the unit's application or the unit itself. */
export function isGranted(model: Model, secret: SecretRecord): boolean {
  const unitTag = `unit-${model.unitName.replace("/", "-")}`;
  const appTag = `application-${appName(model.unitName)}`;
  return secret.grants.some((g) => g.target === unitTag || g.target === appTag);
}

function secretsOf(model: Model): SecretRecord[] {
  model.secrets = model.secrets ?? [];
  return model.secrets;
}

/** The secret by id or label (owner label first, then this unit's consumer label). */
export function findSecret(model: Model, id: string | undefined, label: string | undefined): SecretRecord {
  const all = secretsOf(model);
  const found = id
    ? all.find((s) => s.id === id)
    : (all.find((s) => isOwner(model, s) && s.label === label) ?? all.find((s) => s.consumerLabel === label));
  if (!found) throw new ToolError(`secret "${id ?? label}" not found`);
  return found;
}

export function addSecret(model: Model, secret: SecretRecord): void {
  secretsOf(model).push(secret);
}

const keyRule = /^[a-z](?:-?[a-z0-9]){2,}$/;

function checkKey(key: string): void {
  if (!keyRule.test(key)) throw usageError(`key "${key}" not valid`);
}

/** `key=value` (value encoded to base64) and `key#base64=value` (already encoded) arguments. */
export function parseSecretArgs(args: string[]): Record<string, string> {
  const content: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq <= 0) throw usageError(`key value "${arg}" not valid`);
    const rawKey = arg.slice(0, eq);
    const encoded = rawKey.endsWith("#base64");
    const key = encoded ? rawKey.slice(0, -"#base64".length) : rawKey;
    checkKey(key);
    const value = arg.slice(eq + 1);
    content[key] = encoded ? value : Buffer.from(value).toString("base64");
  }
  return content;
}

/** A --file YAML map: strings are encoded, `!!binary` values are base64 already. */
export function parseSecretFile(text: string): Record<string, string> {
  const parsed = (parse(text, { customTags: ["binary"] }) ?? {}) as Record<string, unknown>;
  const content: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    checkKey(key);
    content[key] =
      value instanceof Uint8Array
        ? Buffer.from(value).toString("base64")
        : Buffer.from(String(value)).toString("base64");
  }
  return content;
}

/** secret-remove for the owner, once per old revision that no consumer tracks any more (marked as told). */
export function obsoleteRevisions(secret: SecretRecord): HookEvent[] {
  const latest = latestRevision(secret);
  const tracked = new Set(Object.values(secret.consumers));
  const told = new Set(secret.obsoleteNotified ?? []);
  const fresh = secret.revisions.filter(
    ({ revision }) => revision !== latest && !tracked.has(revision) && !told.has(revision),
  );
  secret.obsoleteNotified = [...told, ...fresh.map((r) => r.revision)];
  const uri = secretUri(secret.id);
  return fresh.map(({ revision }) => ({
    hook: "secret-remove",
    secret: { uri, label: secret.label, revision },
  }));
}

/** Queues obsoleteRevisions for after the running hook (the runner drains model.queued). */
export function queueObsolete(model: Model, secret: SecretRecord): void {
  model.queued = [...(model.queued ?? []), ...obsoleteRevisions(secret)];
}
