import { execa } from "execa";

/** Runs a program (argv, no shell) and returns its exit code and stdout; never throws for a failed exit. */
export type Run = (file: string, args: readonly string[]) => Promise<{ exitCode: number; stdout: string }>;

/** Runs a program (argv, no shell) that must succeed; throws execa's error (command, exit code, stderr) if not. */
export type Exec = (file: string, args: readonly string[]) => Promise<void>;

/** Runs a program with execa; a program that cannot start counts as exit code 127. */
export const runProgram: Run = async (file, args) => {
  const result = await execa(file, args, { reject: false, stdin: "ignore" });
  return { exitCode: result.exitCode ?? 127, stdout: String(result.stdout ?? "") };
};

/** Runs a program with execa and throws when it fails. */
export const execProgram: Exec = async (file, args) => {
  await execa(file, args, { stdin: "ignore" });
};
