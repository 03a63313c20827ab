// ./health's programs as the health script runs them, beside Node.js's start-up (the script says why).
import type { Run } from "../bridges/programs";
import { readFile } from "../fs/small-files";
import { IP_ADDR_ARGS } from "../machine/facts";
import { IPTABLES_SAVE } from "../machine/iptables-save";

/** Set by the health script when it pipes the programs' answers into Node.js's standard input. */
export const PREFETCHED_FLAG = "FLANNEL_HEALTH_PREFETCHED";
/** Each answer on standard input: `@@ NAME`, the program's output and a newline, `@@ NAME EXIT-CODE`. */
const OPENING = /^@@ (\S+)$/;
const CLOSING = /^@@ (\S+) (\d+)$/;

/** Each command line the health script runs, by the name its answer carries. */
export const PREFETCHED: Readonly<Record<string, readonly string[]>> = {
  rules: IPTABLES_SAVE,
  addr: ["ip", ...IP_ADDR_ARGS],
};

export interface Answer {
  readonly exitCode: number;
  readonly stdout: string;
}

/** Splits the script's answers into one per name; an answer cut short (no closing line) is left out. */
export function parsePrefetched(text: string): Map<string, Answer> {
  const answers = new Map<string, Answer>();
  let open: { name: string; lines: string[] } | undefined;
  for (const line of text.split(/(?<=\n)/)) {
    const closing = CLOSING.exec(line.trimEnd());
    if (open && closing?.[1] === open.name) {
      // The script wrote one newline of its own before the closing line.
      const stdout = open.lines.join("").replace(/\n$/, "");
      answers.set(open.name, { exitCode: Number(closing[2]), stdout });
      open = undefined;
    } else if (open) open.lines.push(line);
    else {
      const opening = OPENING.exec(line.trimEnd());
      if (opening) open = { name: opening[1], lines: [] };
    }
  }
  return answers;
}

/**
 * Answers the prefetched command lines from what the script piped in (read once, when first asked) and
 * runs any other through `fallback`; without the script's flag, everything goes to `fallback`.
 */
export function prefetchedRun(env: NodeJS.ProcessEnv, fallback: Run, readInput = readStdin): Run {
  if (env[PREFETCHED_FLAG] !== "stdin") return fallback;
  const byCommand = new Map(Object.entries(PREFETCHED).map(([name, argv]) => [argv.join("\0"), name]));
  let answers: Promise<Map<string, Answer>> | undefined;
  return async (file, args, options) => {
    const name = byCommand.get([file, ...args].join("\0"));
    if (name === undefined) return fallback(file, args, options);
    answers ??= readInput().then(parsePrefetched);
    return (await answers).get(name) ?? fallback(file, args, options);
  };
}

// Read in one blocking call: the programs' answers are all ./health waits for at this point. Standard input
// that cannot be read (not the script's pipe) answers nothing, so the programs run here instead.
function readStdin(): Promise<string> {
  return readFile("/dev/stdin", "utf8").catch(() => "");
}
