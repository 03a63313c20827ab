import type { ToolIo } from "./tool";
import { usageError } from "./tool-error";

/** One flag of a hook tool; the first name is the canonical one. */
export interface FlagSpec {
  names: string[];
  bool?: boolean;
  /** Shown in --help as `(= default)`; a function when it is the hook's own (e.g. its relation). */
  default?: string | ((io: ToolIo) => string);
  doc?: string;
}

export interface ParsedFlags {
  values: Map<string, string | true>;
  /** How the user spelled each flag, for Juju's `invalid value "x" for option -r` errors. */
  spelled: Map<string, string>;
  args: string[];
}

export function spell(name: string): string {
  return name.length === 1 ? `-${name}` : `--${name}`;
}

function findSpec(specs: FlagSpec[], name: string): FlagSpec | undefined {
  return specs.find((s) => s.names.includes(name));
}

/** Splits `--name=value`, `-n value`, `-nvalue` into name and inline value. */
function splitFlag(arg: string): { name: string; inline?: string } {
  const body = arg.replace(/^--?/, "");
  const eq = body.indexOf("=");
  if (eq >= 0) return { name: body.slice(0, eq), inline: body.slice(eq + 1) };
  if (!arg.startsWith("--") && body.length > 1) return { name: body.slice(0, 1), inline: body.slice(1) };
  return { name: body };
}

/** gnuflag's help request: -h or --help anywhere before `--`. */
export function wantsHelp(argv: string[]): boolean {
  const end = argv.indexOf("--");
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === "-h" || a === "--help" || a === "-help");
}

/** Parses argv the way juju's gnuflag does for hook tools: interspersed flags, `--` ends flags. */
export function parseFlags(argv: string[], specs: FlagSpec[]): ParsedFlags {
  const parsed: ParsedFlags = { values: new Map(), spelled: new Map(), args: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      parsed.args.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      parsed.args.push(arg);
      continue;
    }
    const { name, inline } = splitFlag(arg);
    const spec = findSpec(specs, name);
    if (!spec) throw usageError(`option provided but not defined: ${spell(name)}`);
    const canonical = spec.names[0] as string;
    parsed.spelled.set(canonical, spell(name));
    if (spec.bool) {
      parsed.values.set(canonical, true);
      continue;
    }
    if (inline !== undefined) {
      parsed.values.set(canonical, inline);
      continue;
    }
    const next = argv[i + 1];
    if (next === undefined) throw usageError(`option needs an argument: ${spell(name)}`);
    parsed.values.set(canonical, next);
    i++;
  }
  return parsed;
}

/** Juju's cmd.CheckEmpty. */
export function checkEmpty(args: string[]): void {
  if (args.length > 0) throw usageError(`unrecognized args: ["${args.join('" "')}"]`);
}
