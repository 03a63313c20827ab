// Argument handling shared by the relation tools and secret-grant/-revoke: relation ids, unit and
// application names, key=value lists and settings files, with Juju's messages.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { isMap, isScalar, isSeq, type Node, parseAllDocuments } from "yaml";
import type { FlagSpec } from "./flags";
import { findRelation, type Relation } from "./model";
import type { ToolCall, ToolIo } from "./tool";
import { ToolError, usageError } from "./tool-error";

/** -r/--relation, shown in --help with the hook's own relation as its default. */
export const relationFlag: FlagSpec = {
  names: ["r", "relation"],
  default: (io: ToolIo) => io.env.JUJU_RELATION_ID ?? "",
  doc: "Specify a relation by id",
};

const unitRule = /^[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*\/[0-9]+$/;
const appRule = /^[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*$/;

export const isValidUnit = (name: string) => unitRule.test(name);
export const isValidApplication = (name: string) => appRule.test(name);

/** The last `:`-separated part is the id, so both `3` and `etcd:3` work, as in Juju. */
function parseRelationId(text: string): number {
  const tail = text.slice(text.lastIndexOf(":") + 1);
  return /^-?[0-9]+$/.test(tail) ? Number(tail) : Number.NaN;
}

/** The relation named by -r (usage errors as gnuflag reports a bad value), or undefined when not given. */
export function flagRelation(call: ToolCall): Relation | undefined {
  const raw = call.flags.values.get("r");
  if (typeof raw !== "string") return undefined;
  const option = call.flags.spelled.get("r") ?? "-r";
  const id = parseRelationId(raw);
  if (Number.isNaN(id)) throw usageError(`invalid value "${raw}" for option ${option}: invalid relation id`);
  const found = findRelation(call.model, id);
  if (!found) throw usageError(`invalid value "${raw}" for option ${option}: relation not found`);
  return found;
}

/** The hook's own relation (JUJU_RELATION_ID), if it is still in the model. */
export function hookRelation(call: ToolCall): Relation | undefined {
  const fromEnv = call.io.env.JUJU_RELATION_ID;
  return fromEnv ? findRelation(call.model, parseRelationId(fromEnv)) : undefined;
}

/** The relation named by -r, else the hook's own relation. */
export function chooseRelation(call: ToolCall): Relation {
  const found = flagRelation(call) ?? hookRelation(call);
  if (!found) throw usageError("no relation id specified");
  return found;
}

/** Juju's keyvalues.Parse: every argument is key=value, each key once. */
export function parseKeyValues(args: string[]): Record<string, string> {
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

function lineOf(text: string, node: Node): number {
  return text.slice(0, node.range?.[0] ?? 0).split("\n").length;
}

/** The YAML tag Go's resolver gives a plain scalar, for its unmarshal errors. */
function goTag(source: string): string {
  if (/^[-+]?[0-9]+$/.test(source)) return "!!int";
  if (/^[-+]?(?:[0-9]*\.[0-9]+|[0-9]+\.)(?:[eE][-+]?[0-9]+)?$/.test(source)) return "!!float";
  if (/^(?:true|false|yes|no|on|off)$/i.test(source)) return "!!bool";
  return "!!str";
}

/** How yaml.v2 quotes a value in an error: whole when short, else the first 7 characters and "...". */
function shortValue(source: string): string {
  return source.length > 10 ? `${source.slice(0, 7)}...` : source;
}

/**
 * yaml.Unmarshal of a file into map[string]string, as relation-set and state-set read --file: the first
 * document only (Go's decoder stops there), scalars kept as written, Go's error for anything but a map.
 */
export function parseStringMap(text: string): Record<string, string> {
  const [doc] = parseAllDocuments(text, { schema: "failsafe" });
  const contents = doc && "contents" in doc ? doc.contents : null;
  if (!doc || contents === null) {
    const problem = doc && "errors" in doc ? doc.errors[0] : undefined;
    if (problem) throw new ToolError(`yaml: ${problem.message.split("\n")[0]}`);
    return {};
  }
  const into = "into map[string]string";
  if (isScalar(contents)) {
    const source = String(contents.source ?? contents.value);
    const where = lineOf(text, contents);
    throw new ToolError(
      `yaml: unmarshal errors:\n  line ${where}: cannot unmarshal ${goTag(source)} \`${shortValue(source)}\` ${into}`,
    );
  }
  if (isSeq(contents) || !isMap(contents)) {
    throw new ToolError(
      `yaml: unmarshal errors:\n  line ${lineOf(text, contents)}: cannot unmarshal !!seq ${into}`,
    );
  }
  const parsed = contents.toJSON() as Record<string, unknown>;
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, v === null ? "" : String(v)]));
}

/** A --file argument's text: a path relative to the caller's directory, or `-` for stdin. */
export function readArgumentFile(call: ToolCall, path: string): string {
  // Stdin is the client's to give (the agent asks for it); only a file can be missing.
  if (path === "-") return call.io.readStdin();
  try {
    return readFileSync(resolve(call.io.cwd, path), "utf8");
  } catch {
    throw new ToolError(`open ${path}: no such file or directory`);
  }
}
