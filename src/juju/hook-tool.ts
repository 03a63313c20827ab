import { spawn } from "node:child_process";

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

/**
 * Runs one hook tool with an argv array and returns its stdout; throws HookToolError on any failure.
 * node:child_process, not execa: every hook calls tools, and importing execa costs more than the calls.
 */
export async function runHookTool(tool: string, args: readonly string[], options: RunOptions = {}) {
  const command = [tool, ...args];
  const result = await spawnTool(tool, args, options.input);
  if (result.error !== undefined || result.exitCode !== 0) {
    throw new HookToolError(
      { command, exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr },
      { cause: result.error ?? result },
    );
  }
  return result.stdout;
}

interface ToolResult {
  exitCode?: number;
  stdout: string;
  stderr: string;
  /** Why the tool could not run or was killed (not found, timed out); undefined when it exited. */
  error?: Error;
}

function spawnTool(tool: string, args: readonly string[], input?: string): Promise<ToolResult> {
  return new Promise((resolve) => {
    // Most calls feed nothing: no pipe for stdin then, one less to make on each of a hook's many calls.
    const stdin = input === undefined ? "ignore" : "pipe";
    const child = spawn(tool, [...args], {
      stdio: [stdin, "pipe", "pipe"],
      timeout: TIMEOUT_MS,
      killSignal: "SIGKILL",
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let error: Error | undefined;
    child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (cause) => {
      error = cause;
    });
    // A tool that does not read its stdin closes it early: that is no failure of the call.
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(input);
    child.on("close", (code, signal) => {
      if (signal !== null && error === undefined)
        error = new Error(`${tool} was killed by ${signal} (timeout ${TIMEOUT_MS} ms)`);
      const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString("utf8");
      resolve({ exitCode: code ?? undefined, stdout: text(stdout), stderr: text(stderr), error });
    });
  });
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
