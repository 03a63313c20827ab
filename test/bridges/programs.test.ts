import { describe, expect, it } from "vitest";
import { execProgram, ProgramError, runProgram } from "../../src/bridges/programs";

describe("programs with a bound", () => {
  it("defect 6: a program that hangs is killed at its bound and reported as timed out", async () => {
    const started = Date.now();
    const error = await execProgram("sleep", ["30"], { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error).toBeInstanceOf(ProgramError);
    expect(error).toMatchObject({
      command: "sleep 30",
      timedOut: true,
      message: "sleep 30 did not finish within 0.3 s",
    });
  });

  it("defect 6: a query that hangs returns exit code 124 at its bound instead of hanging", async () => {
    const started = Date.now();
    expect(await runProgram("sleep", ["30"], { timeoutMs: 300 })).toEqual({ exitCode: 124, stdout: "" });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("reports a failed program with its exit code and the last line of stderr", async () => {
    const error = await execProgram("sh", ["-c", "echo first >&2; echo last words >&2; exit 3"]).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProgramError);
    expect(error).toMatchObject({
      timedOut: false,
      exitCode: 3,
      message: "sh -c echo first >&2; echo last words >&2; exit 3 failed (exit code 3): last words",
    });
  });

  it("runs a program that finishes, and counts one that cannot start as 127", async () => {
    expect(await runProgram("sh", ["-c", "echo hi"])).toEqual({ exitCode: 0, stdout: "hi" });
    expect(await runProgram("/nonexistent/program", [])).toEqual({ exitCode: 127, stdout: "" });
  });
});
