import type { ConformanceCase } from "./case";

type Extra = Partial<ConformanceCase>;

/** A call Juju answers with exit 0 and exactly this stdout. */
export function ok(name: string, argv: string[], stdout: string, extra: Extra = {}): ConformanceCase {
  return { name, argv, code: 0, stdout, ...extra };
}

/** A call Juju refuses in Init or flag parsing: exit 2, `ERROR message`. */
export function usage(name: string, argv: string[], message: string, extra: Extra = {}): ConformanceCase {
  return { name, argv, code: 2, stderr: `ERROR ${message}\n`, ...extra };
}

/** A call whose Run fails: exit 1, `ERROR message`. */
export function fails(name: string, argv: string[], message: string, extra: Extra = {}): ConformanceCase {
  return { name, argv, code: 1, stderr: `ERROR ${message}\n`, ...extra };
}

/** `--help`: exit 0 and a usage text that contains each fragment Juju's test looks for. */
export function help(name: string, argv: string[], fragments: string[], extra: Extra = {}): ConformanceCase {
  const pattern = new RegExp(
    fragments.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[\\s\\S]*"),
  );
  return { name, argv: [...argv, "--help"], code: 0, stdoutMatches: pattern, ...extra };
}
