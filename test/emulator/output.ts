import { stringify } from "yaml";
import type { FlagSpec, ParsedFlags } from "./flags";
import { usageError } from "./tool-error";

export const formatFlag: FlagSpec = { names: ["format"] };

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

/** Juju's FormatYaml: nothing for nil, keys sorted, trailing newlines collapsed to one. */
function formatYaml(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = stringify(value, { sortMapEntries: true, lineWidth: 0 }).replace(/\n+$/, "");
  return text === "" ? "" : `${text}\n`;
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

/** Go's json.Marshal sorts map keys; sort ours so output is byte-identical. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
  return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
}

/** Renders a tool's value in the chosen format, as juju's cmd.Output.Write does. */
export function render(format: Format, value: unknown): string {
  if (format === "json") return `${JSON.stringify(sortKeys(value ?? null))}\n`;
  if (format === "yaml") return formatYaml(value);
  return formatSmart(value);
}
