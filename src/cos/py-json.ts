// JSON as Python's json.dumps writes it by default (", " and ": " separators, non-ASCII as \uXXXX,
// optionally sorted keys): the cos_agent library hashes and compresses that text, so the same bytes must
// come out here. Numbers are written as JavaScript writes them, which is Python's form for integers and
// for the fractions a dashboard or a scrape job holds (never write 1.0 in them: Python keeps the ".0").

/** Python's `json.dumps(value, sort_keys=sortKeys)`. */
export function pyJsonDumps(value: unknown, sortKeys = false): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return JSON.stringify(value);
  if (typeof value === "string") return pyString(value);
  if (Array.isArray(value)) return `[${value.map((item) => pyJsonDumps(item, sortKeys)).join(", ")}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  if (sortKeys) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${pyString(key)}: ${pyJsonDumps(item, sortKeys)}`).join(", ")}}`;
}

// JSON.stringify already escapes what Python does below 0x20 ("\n", "\u0000"); Python also escapes
// everything above 0x7e (ensure_ascii), as UTF-16 code units.
function pyString(text: string): string {
  return JSON.stringify(text).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
