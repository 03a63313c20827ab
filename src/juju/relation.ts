import { translated } from "./errors";
import { runHookTool, runHookToolJson } from "./hook-tool";
import { asString, asStringArray, asStringMap } from "./shapes";

/** `relation-ids --format=json NAME`: the ids (e.g. "etcd:3") of every relation of that endpoint. */
export async function relationIds(name: string): Promise<string[]> {
  return asStringArray("relation-ids", await translated(() => runHookToolJson("relation-ids", [name])));
}

/** `relation-list --format=json -r ID`: the remote units currently in a relation. */
export async function relationList(relationId: string): Promise<string[]> {
  const value = await translated(() => runHookToolJson("relation-list", ["-r", relationId]));
  return asStringArray("relation-list", value);
}

/** `relation-get --format=json -r ID - UNIT`: all settings a unit (or app) published, as strings. */
export async function relationGet(relationId: string, unit: string): Promise<Record<string, string>> {
  const value = await translated(() => runHookToolJson("relation-get", ["-r", relationId, "-", unit]));
  return asStringMap("relation-get", value);
}

/** `relation-set -r ID k=v …`: publishes this unit's settings; an empty value deletes the key. */
export async function relationSet(relationId: string, data: Record<string, string>): Promise<void> {
  const pairs = Object.entries(data).map(([key, value]) => `${checkKey(key)}=${value}`);
  if (pairs.length === 0) return;
  await translated(() => runHookTool("relation-set", ["-r", relationId, ...pairs]));
}

function checkKey(key: string): string {
  if (/^[^=\s]+$/.test(key)) return key;
  throw new Error(`relation-set key ${JSON.stringify(key)} must be non-empty without "=" or spaces`);
}

/** `relation-get --format=json --app -r ID - APP`: the settings an application's leader published. */
export async function relationGetApp(relationId: string, app: string): Promise<Record<string, string>> {
  const value = await translated(() =>
    runHookToolJson("relation-get", ["--app", "-r", relationId, "-", app]),
  );
  return asStringMap("relation-get", value);
}

/** `relation-set --app -r ID k=v …`: publishes this application's settings (leader only). */
export async function relationSetApp(relationId: string, data: Record<string, string>): Promise<void> {
  const pairs = Object.entries(data).map(([key, value]) => `${checkKey(key)}=${value}`);
  if (pairs.length === 0) return;
  await translated(() => runHookTool("relation-set", ["--app", "-r", relationId, ...pairs]));
}

/** `relation-list --format=json --app -r ID`: the application on the other side of a relation. */
export async function relationListApp(relationId: string): Promise<string> {
  const value = await translated(() => runHookToolJson("relation-list", ["--app", "-r", relationId]));
  return asString("relation-list", value);
}
