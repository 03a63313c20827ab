import { execa } from "execa";

/** A hook tool that failed to run or exited non-zero; stdout/stderr are kept for the lookup table. */
export class HookToolError extends Error {
  readonly command: readonly string[];
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;

  constructor(
    details: { command: readonly string[]; exitCode?: number; stdout?: string; stderr?: string },
    options?: { cause?: unknown; message?: string },
  ) {
    const stderr = details.stderr ?? "";
    const summary = stderr.trim().split("\n").slice(-1)[0] ?? "";
    super(
      options?.message ??
        `${details.command[0]} failed (exit code ${details.exitCode ?? "none"}): ${summary || "no stderr"}`,
      { cause: options?.cause },
    );
    this.name = "HookToolError";
    this.command = details.command;
    this.exitCode = details.exitCode;
    this.stdout = details.stdout ?? "";
    this.stderr = stderr;
  }
}

export interface RunOptions {
  /** Text fed to the tool's stdin (e.g. `--file -`). */
  input?: string;
}

// Hook tools talk to the local unit agent; a minute is far beyond any healthy call.
const TIMEOUT_MS = 60_000;

/** Runs one hook tool with an argv array and returns its stdout; throws HookToolError on any failure. */
export async function runHookTool(tool: string, args: readonly string[], options: RunOptions = {}) {
  const command = [tool, ...args];
  const result = await execa(tool, args, {
    input: options.input ?? "",
    reject: false,
    timeout: TIMEOUT_MS,
    stripFinalNewline: false,
  });
  if (result.failed) {
    throw new HookToolError(
      { command, exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) },
      { cause: result.cause ?? result },
    );
  }
  return String(result.stdout);
}

/** Runs a hook tool with `--format=json` first and returns its parsed output. */
export async function runHookToolJson(tool: string, args: readonly string[]): Promise<unknown> {
  const fullArgs = ["--format=json", ...args];
  const stdout = await runHookTool(tool, fullArgs);
  try {
    return stdout.trim() === "" ? null : JSON.parse(stdout);
  } catch (error) {
    throw new HookToolError(
      { command: [tool, ...fullArgs], exitCode: 0, stdout, stderr: "" },
      {
        cause: error,
        message: `${tool} printed output that is not JSON: ${JSON.stringify(stdout.slice(0, 200))}`,
      },
    );
  }
}
