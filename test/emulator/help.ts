import { type FlagSpec, spell } from "./flags";
import type { Model } from "./model";
import type { Tool, ToolIo } from "./tool";

/** One option as juju/cmd lists it: `-r, --relation  (= )` then its text indented. */
function renderFlag(spec: FlagSpec, io: ToolIo): string {
  const names = spec.names.map(spell).join(", ");
  const fallback = spec.bool ? "false" : "";
  const value = typeof spec.default === "function" ? spec.default(io) : spec.default;
  const line = `${names}  (= ${value ?? fallback})`;
  return spec.doc ? `${line}\n    ${spec.doc}` : line;
}

/** The --help text of a hook tool, shaped like juju/cmd's: Usage, Summary, Options, Details. */
export function renderHelp(name: string, tool: Tool, flags: FlagSpec[], io: ToolIo, model: Model): string {
  const args = typeof tool.args === "function" ? tool.args(io) : (tool.args ?? "");
  const parts = [`Usage: ${name}${flags.length > 0 ? " [options]" : ""}${args ? ` ${args}` : ""}`];
  if (tool.purpose) parts.push(`Summary:\n${tool.purpose}`);
  if (flags.length > 0) {
    const sorted = [...flags].sort((a, b) => ((a.names.at(-1) ?? "") < (b.names.at(-1) ?? "") ? -1 : 1));
    parts.push(`Options:\n${sorted.map((spec) => renderFlag(spec, io)).join("\n")}`);
  }
  const details = tool.details?.(io, model);
  if (details) parts.push(`Details:\n${details}`);
  return `${parts.join("\n\n")}\n`;
}
