/** A hook-tool failure: printed as `ERROR <message>` with Juju's exit code. */
export class ToolError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "ToolError";
  }
}

/** juju/cmd exits 2 when flag parsing or Init (argument checking) fails, 1 when Run fails. */
export function usageError(message: string): ToolError {
  return new ToolError(message, 2);
}
