import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

const FALLBACK_MIRROR = "http://deb.debian.org/debian";

/** The Debian mirror apt on this host uses for `suite` (debootstrap should hit the same, nearest one). */
export async function findDebianMirror(suite: string): Promise<string> {
  if (process.env.FCW_MIRROR) return process.env.FCW_MIRROR;
  for (const text of await readSourceFiles()) {
    const mirror = findInDeb822(text, suite) ?? findInOneLine(text, suite);
    if (mirror) return mirror;
  }
  return FALLBACK_MIRROR;
}

async function readSourceFiles(): Promise<string[]> {
  const dir = "/etc/apt/sources.list.d";
  const names = await readdir(dir).catch(() => [] as string[]);
  const paths = ["/etc/apt/sources.list", ...names.sort().map((name) => join(dir, name))];
  return Promise.all(paths.map((path) => readFile(path, "utf8").catch(() => "")));
}

/** deb822 stanzas: "URIs: …" and "Suites: bookworm bookworm-updates". */
function findInDeb822(text: string, suite: string): string | undefined {
  for (const stanza of text.split(/\n\s*\n/)) {
    const uri = /^URIs:\s*(\S+)/m.exec(stanza)?.[1];
    const suites = /^Suites:\s*(.+)$/m.exec(stanza)?.[1]?.split(/\s+/) ?? [];
    if (uri && suites.includes(suite) && /^Types:.*\bdeb\b/m.test(stanza)) return uri;
  }
  return undefined;
}

/** One-line format: "deb [opts] URI SUITE COMPONENTS". */
function findInOneLine(text: string, suite: string): string | undefined {
  for (const line of text.split("\n")) {
    const match = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line.trim());
    if (match?.[2] === suite) return match[1];
  }
  return undefined;
}
