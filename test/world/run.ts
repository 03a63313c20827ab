import { execa } from "execa";

/** What a finished command left behind; a non-zero exit is data, not an exception. */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  stdin?: string | Uint8Array;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** A command that had to succeed and did not: carries everything needed to debug it. */
export class WorldCommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly result: ExecResult,
  ) {
    super(`command failed (exit ${result.exitCode}): ${argv.join(" ")}\n${result.stderr.trim()}`);
    this.name = "WorldCommandError";
  }
}

/** Runs argv on the host and returns its result whatever the exit code. */
export async function execHost(argv: readonly string[], options: RunOptions = {}): Promise<ExecResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error("execHost: empty argv");
  const result = await execa(file, args, {
    reject: false,
    stripFinalNewline: false,
    input: options.stdin ?? "",
    env: options.env,
    timeout: options.timeoutMs,
  });
  if (result.exitCode === undefined)
    throw new Error(`${argv.join(" ")}: ${result.message}`, { cause: result });
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Runs argv on the host, throws WorldCommandError unless it exits 0, returns stdout. */
export async function runHost(argv: readonly string[], options: RunOptions = {}): Promise<string> {
  return mustSucceed(argv, await execHost(argv, options));
}

/** Returns stdout of a successful result, else throws WorldCommandError. */
export function mustSucceed(argv: readonly string[], result: ExecResult): string {
  if (result.exitCode !== 0) throw new WorldCommandError(argv, result);
  return result.stdout;
}

/** Polls `probe` until it returns a value or the deadline passes. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
