import type { Run } from "../bridges/programs";

const TIMEOUT_MS = 10_000;

/**
 * Runs a program like bridges/programs' runProgram, but with node:child_process: ./health must start in
 * little more than Node's own startup, and importing execa alone costs more than the program it runs.
 */
export const lightRun: Run = async (file, args, options) => {
  // Loaded on first use: ./health usually finds every answer prefetched (see prefetched.ts) and then
  // never pays for child_process.
  const { execFile } = await import("node:child_process");
  const bounds = { timeout: options?.timeoutMs ?? TIMEOUT_MS, encoding: "utf8" } as const;
  return new Promise((resolve) => {
    execFile(file, [...args], bounds, (error, stdout) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 127;
      resolve({ exitCode: code, stdout: String(stdout ?? "") });
    });
  });
};
