import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { translated } from "./errors";
import { runHookTool, runHookToolJson } from "./hook-tool";
import { asMap, asString, asStringArray, asStringMap } from "./shapes";

// Secret content never goes on a command line (argv is world-readable in /proc): it goes to Juju as a
// --file in a directory only root can enter, removed as soon as the tool returns.

/** Options of secret-add/secret-set besides the content. */
export interface SecretOptions {
  readonly label?: string;
  readonly description?: string;
  /** A Go duration or an RFC 3339 time after which Juju fires secret-expired for the owner. */
  readonly expire?: string;
  readonly owner?: "application" | "unit";
}

/** How secret-get picks the revision: the tracked one, the latest without tracking it, or the latest. */
export type ReadMode = "tracked" | "peek" | "refresh";

/** `secret-get --format=json URI|--label L`: the content (string values) of a secret this unit may read. */
export async function secretGet(
  ref: { uri: string; label?: string } | { label: string },
  mode: ReadMode = "tracked",
): Promise<Record<string, string>> {
  const args = "uri" in ref ? [ref.uri] : [];
  if (ref.label !== undefined) args.push("--label", ref.label);
  if (mode !== "tracked") args.push(`--${mode}`);
  return asStringMap("secret-get", await translated(() => runHookToolJson("secret-get", args)));
}

/** `secret-add --file F`: a new secret owned by this application (leader) or unit; returns its URI. */
export async function secretAdd(content: Record<string, string>, options: SecretOptions = {}) {
  const out = await withContentFile(content, (file) =>
    translated(() => runHookTool("secret-add", [...optionArgs(options), "--file", file])),
  );
  return out.trim();
}

/** `secret-set URI --file F`: new content (Juju adds a revision only when it differs). */
export async function secretSet(uri: string, content: Record<string, string>, options: SecretOptions = {}) {
  await withContentFile(content, (file) =>
    translated(() => runHookTool("secret-set", [uri, ...optionArgs(options), "--file", file])),
  );
}

/** `secret-grant URI -r ID [--unit U]`: lets the other side of a relation read the secret. */
export async function secretGrant(uri: string, relationId: string, unit?: string) {
  const args = [uri, "-r", relationId, ...(unit ? ["--unit", unit] : [])];
  await translated(() => runHookTool("secret-grant", args));
}

/** `secret-revoke URI -r ID`: takes the relation's access back. */
export async function secretRevoke(uri: string, relationId: string) {
  await translated(() => runHookTool("secret-revoke", [uri, "-r", relationId]));
}

/** `secret-ids --format=json`: the ids of the secrets this unit (or its application) owns. */
export async function secretIds(): Promise<string[]> {
  return asStringArray("secret-ids", await translated(() => runHookToolJson("secret-ids", [])));
}

/** Metadata of an owned secret (no content). */
export interface SecretInfo {
  readonly id: string;
  readonly revision: number;
  readonly label?: string;
  readonly expiry?: string;
}

/** `secret-info-get --format=json --label L`: an owned secret's metadata, or undefined when there is none. */
export async function secretInfoGet(label: string): Promise<SecretInfo | undefined> {
  let value: unknown;
  try {
    value = await translated(() => runHookToolJson("secret-info-get", ["--label", label]));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  const [id, raw] = Object.entries(asMap("secret-info-get", value))[0] ?? [];
  if (id === undefined) return undefined;
  const info = asMap("secret-info-get", raw);
  const expiry = info.expiry === undefined ? undefined : asString("secret-info-get", info.expiry);
  const label_ = info.label === undefined ? undefined : asString("secret-info-get", info.label);
  return { id, revision: Number(info.revision), label: label_, expiry };
}

/** `secret-remove URI [--revision N]`. */
export async function secretRemove(uri: string, revision?: number) {
  const args = revision === undefined ? [uri] : [uri, "--revision", String(revision)];
  await translated(() => runHookTool("secret-remove", args));
}

/** Whether a hook tool failed because the secret (or key) does not exist or is not readable yet. */
export function isNotFound(error: unknown): boolean {
  const stderr = (error as { stderr?: unknown }).stderr;
  return typeof stderr === "string" && /not found|permission denied|consumer .* not found/i.test(stderr);
}

function optionArgs(options: SecretOptions): string[] {
  const args: string[] = [];
  if (options.label !== undefined) args.push("--label", options.label);
  if (options.description !== undefined) args.push("--description", options.description);
  if (options.expire !== undefined) args.push("--expire", options.expire);
  if (options.owner !== undefined) args.push("--owner", options.owner);
  return args;
}

async function withContentFile<T>(content: Record<string, string>, use: (file: string) => Promise<T>) {
  const dir = await mkdtemp(join(tmpdir(), "flannel-secret-"));
  try {
    const file = join(dir, "content.yaml");
    // JSON is YAML too: no YAML writer in the hooks' bundle.
    await writeFile(file, JSON.stringify(content), { mode: 0o600 });
    return await use(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
