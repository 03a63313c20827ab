import { UnexpectedOutputError } from "./errors";

/** Checks a JSON map of strings (null means empty, as Juju prints for no data). */
export function asStringMap(tool: string, value: unknown): Record<string, string> {
  if (value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new UnexpectedOutputError(tool, "a map of strings", value);
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.some(([, v]) => typeof v !== "string")) {
    throw new UnexpectedOutputError(tool, "a map of strings", value);
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/** Checks a JSON map of any values (null means empty). */
export function asMap(tool: string, value: unknown): Record<string, unknown> {
  if (value === null) return {};
  if (typeof value !== "object" || Array.isArray(value))
    throw new UnexpectedOutputError(tool, "a map", value);
  return value as Record<string, unknown>;
}

/** Checks a JSON array of strings (null means empty). */
export function asStringArray(tool: string, value: unknown): string[] {
  if (value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new UnexpectedOutputError(tool, "a list of strings", value);
  }
  return value as string[];
}

/** Checks a JSON string. */
export function asString(tool: string, value: unknown): string {
  if (typeof value !== "string") throw new UnexpectedOutputError(tool, "a string", value);
  return value;
}

/** Checks a JSON boolean. */
export function asBoolean(tool: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new UnexpectedOutputError(tool, "true or false", value);
  return value;
}
