import type { FlagSpec, ParsedFlags } from "./flags";
import type { Model } from "./model";

/** What a hook tool sees of its call: the hook's environment (from its context), cwd, stdin and stderr. */
export interface ToolIo {
  env: NodeJS.ProcessEnv;
  /** The caller's working directory: relative paths (`--file x.yaml`) resolve against it. */
  cwd: string;
  readStdin: () => string;
  warn: (text: string) => void;
}

export interface ToolCall {
  flags: ParsedFlags;
  args: string[];
  io: ToolIo;
  model: Model;
}

/** One hook tool: its flags, whether it prints a --format'ted value, and whether it writes the model. */
export interface Tool {
  flags: FlagSpec[];
  formatted?: boolean;
  mutates?: boolean;
  /** The arguments part of the usage line, e.g. `<key> <unit id>`; a function when it depends on the hook. */
  args?: string | ((io: ToolIo) => string);
  /** One line for --help's Summary. */
  purpose?: string;
  /** --help's Details, when the tool has something context-dependent to say. */
  details?: (io: ToolIo, model: Model) => string;
  run: (call: ToolCall) => unknown;
}

/** The name of the hook (or action) being run, for status history and logs. */
export function currentHook(io: ToolIo): string {
  return io.env.JUJU_ACTION_NAME ?? io.env.JUJU_HOOK_NAME ?? "";
}

/** Juju's `--format flag deprecated` note for tools that only kept the flag for compatibility. */
export function warnDeprecatedFormat(call: ToolCall, name: string): void {
  if (call.flags.values.has("format")) call.io.warn(`--format flag deprecated for command "${name}"`);
}
