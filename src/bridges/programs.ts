import type { execa as Execa } from "execa";

let loading: Promise<typeof Execa> | undefined;

/**
 * execa, loaded on first use: with its dependencies it is about 200 KB of a hook's bundle, and a hook that
 * finds the machine as it should be runs no program through it.
 */
export function loadExeca(): Promise<typeof Execa> {
  loading ??= import("execa").then((module) => module.execa);
  return loading;
}

export interface ProgramOptions {
  /** How long the program may run before it is killed. */
  readonly timeoutMs?: number;
}

/** Runs a program (argv, no shell) and returns its exit code and stdout; never throws for a failed exit. */
export type Run = (
  file: string,
  args: readonly string[],
  options?: ProgramOptions,
) => Promise<{ exitCode: number; stdout: string }>;

/** Runs a program (argv, no shell) that must succeed; throws ProgramError (command, exit code, stderr) if not. */
export type Exec = (file: string, args: readonly string[], options?: ProgramOptions) => Promise<void>;

/** Bound of a query (ip, systemctl is-active, iptables -S): they answer in milliseconds when healthy. */
export const QUERY_TIMEOUT_MS = 10_000;
/** Bound of a change (systemctl start/stop, ip link): above systemd's default 90 s stop timeout. */
export const CHANGE_TIMEOUT_MS = 120_000;
/** The exit code a query that ran out of time reports, as coreutils' timeout does. */
export const TIMED_OUT_EXIT_CODE = 124;

/** A program that failed or ran out of time; the message names the command and what happened. */
export class ProgramError extends Error {
  constructor(
    readonly command: string,
    readonly timedOut: boolean,
    readonly exitCode: number | undefined,
    readonly stderr: string,
    message: string,
    cause?: unknown,
  ) {
    super(message, { cause });
    this.name = "ProgramError";
  }
}

/** Runs a program with execa and a bound; one that cannot start counts as 127, one out of time as 124. */
export const runProgram: Run = async (file, args, options = {}) => {
  const execa = await loadExeca();
  const result = await execa(file, args, {
    reject: false,
    stdin: "ignore",
    timeout: options.timeoutMs ?? QUERY_TIMEOUT_MS,
  });
  const exitCode = result.timedOut ? TIMED_OUT_EXIT_CODE : (result.exitCode ?? 127);
  return { exitCode, stdout: String(result.stdout ?? "") };
};

/** Runs a program with execa and a bound, and throws ProgramError when it fails or runs out of time. */
export const execProgram: Exec = async (file, args, options = {}) => {
  const timeoutMs = options.timeoutMs ?? CHANGE_TIMEOUT_MS;
  const execa = await loadExeca();
  const result = await execa(file, args, { reject: false, stdin: "ignore", timeout: timeoutMs });
  if (!result.failed) return;
  const command = [file, ...args].join(" ");
  const stderr = String(result.stderr ?? "");
  const lastLine = stderr.trim().split("\n").pop() || result.shortMessage;
  const message = result.timedOut
    ? `${command} did not finish within ${timeoutMs / 1000} s`
    : `${command} failed (exit code ${result.exitCode ?? "none"}): ${lastLine}`;
  throw new ProgramError(command, result.timedOut, result.exitCode, stderr, message, result);
};
