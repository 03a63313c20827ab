import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { stringify } from "yaml";
import type { FlagSpec, ParsedFlags } from "./flags";
import { usageError } from "./tool-error";

export const formatFlag: FlagSpec = {
  names: ["format"],
  default: "smart",
  doc: "Specify output format (json|smart|yaml)",
};
/** juju/cmd's Output adds -o/--output to every command that formats its answer. */
export const outputFlag: FlagSpec = { names: ["o", "output"], default: '""', doc: "Specify an output file" };

const formats = ["smart", "yaml", "json"] as const;
export type Format = (typeof formats)[number];

/** The --format value, defaulting to Juju's "smart". */
export function chooseFormat(flags: ParsedFlags): Format {
  const value = flags.values.get("format");
  if (value === undefined) return "smart";
  if ((formats as readonly string[]).includes(String(value))) return value as Format;
  const spelled = flags.spelled.get("format") ?? "--format";
  throw usageError(`invalid value "${value}" for option ${spelled}: unknown format "${value}"`);
}

const structs = new WeakSet<object>();

/** Marks an object as a Go struct: its fields keep their order in YAML and JSON (Go sorts only maps). */
export function goStruct<T extends object>(value: T): T {
  structs.add(value);
  return value;
}

/** A time.Time as Go's YAML writes it: a plain timestamp, not a quoted string. */
export class GoTime {
  constructor(readonly text: string) {}
  toJSON(): string {
    return this.text;
  }
}

const timeTag = {
  identify: (value: unknown) => value instanceof GoTime,
  tag: "tag:yaml.org,2002:timestamp",
  default: true,
  resolve: (text: string) => new GoTime(text),
  stringify: (item: { value?: unknown }) => (item.value as GoTime).text,
};

/** Copies the value with map keys sorted (as Go's encoders sort maps) and struct fields in order. */
function arrange(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(arrange);
  if (value === null || typeof value !== "object" || value instanceof GoTime) return value;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (!structs.has(value)) entries.sort(([a], [b]) => (a < b ? -1 : 1));
  return Object.fromEntries(entries.map(([k, v]) => [k, arrange(v)]));
}

/**
 * Juju's FormatYaml: nothing for nil, trailing newlines collapsed to one, sequences not indented. YAML 1.1 quoting, as Go's
 * yaml.v2 quotes "n", "on" or a MAC address that 1.1 would read as a number.
 */
function formatYaml(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = stringify(arrange(value), {
    version: "1.1",
    customTags: [timeTag],
    lineWidth: 0,
    indentSeq: false,
  });
  const trimmed = text.replace(/\n+$/, "");
  return trimmed === "" ? "" : `${trimmed}\n`;
}

/** Juju's FormatSmart: strings as-is, string lists one per line, booleans True/False, else YAML. */
function formatSmart(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text: string;
  if (typeof value === "string") text = value;
  else if (typeof value === "boolean") text = value ? "True" : "False";
  else if (Array.isArray(value) && value.every((v) => typeof v === "string")) text = value.join("\n");
  else return formatYaml(value);
  return text === "" ? "" : `${text}\n`;
}

/** Renders a tool's value in the chosen format, as juju's cmd.Output.Write does. */
export function render(format: Format, value: unknown): string {
  if (format === "json") return `${JSON.stringify(arrange(value ?? null))}\n`;
  if (format === "yaml") return formatYaml(value);
  return formatSmart(value);
}

/** cmd.Output.Write: to the --output file (relative to the caller's directory) or else to stdout. */
export function deliver(flags: ParsedFlags, cwd: string, text: string): string {
  const path = flags.values.get("o");
  if (typeof path !== "string" || path === "") return text;
  writeFileSync(resolve(cwd, path), text);
  return "";
}
