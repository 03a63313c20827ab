import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Installs executables that record their argv (one JSON line per call) and print a canned output,
 * like ops' FakeScript: tests assert the exact calls a script made.
 */
export async function installFakeTools(binDir: string, tools: Record<string, string>) {
  await mkdir(binDir, { recursive: true });
  const log = join(binDir, "calls.jsonl");
  for (const [name, output] of Object.entries(tools)) {
    const script = [
      "#!/bin/sh",
      // Unit and record separators keep arguments with spaces or newlines intact, without needing node.
      `{ for arg in ${name} "$@"; do printf '%s\\037' "$arg"; done; printf '\\036'; } >> ${log}`,
      `printf '%s' ${shellQuote(output)}`,
      "",
    ].join("\n");
    await writeFile(join(binDir, name), script, { mode: 0o755 });
  }
  return { calls: () => readCalls(log) };
}

async function readCalls(log: string): Promise<string[][]> {
  const text = await readFile(log, "utf8").catch(() => "");
  return text
    .split("\x1e")
    .filter(Boolean)
    .map((call) => call.split("\x1f").slice(0, -1));
}

function shellQuote(text: string) {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
