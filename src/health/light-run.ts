import { execFile } from "node:child_process";
import type { Run } from "../bridges/programs";

const TIMEOUT_MS = 10_000;

/**
 * Runs a program like bridges/programs' runProgram, but with node:child_process: ./health must start in
 * little more than Node's own startup, and importing execa alone costs more than the program it runs.
 */
export const lightRun: Run = (file, args) =>
  new Promise((resolve) => {
    execFile(file, [...args], { timeout: TIMEOUT_MS, encoding: "utf8" }, (error, stdout) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 127;
      resolve({ exitCode: code, stdout: String(stdout ?? "") });
    });
  });
