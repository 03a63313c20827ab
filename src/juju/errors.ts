import { HookToolError } from "./hook-tool";

/** The relation id given to a hook tool no longer exists (e.g. it was removed meanwhile). */
export class RelationNotFoundError extends Error {
  constructor(cause: HookToolError) {
    super(`relation not found: ${cause.command.join(" ")}`, { cause });
    this.name = "RelationNotFoundError";
  }
}

/** `resource-get` failed because no file was ever attached for the resource. */
export class ResourceNotAttachedError extends Error {
  constructor(cause: HookToolError) {
    super(`resource not attached: ${cause.stderr.trim()}`, { cause });
    this.name = "ResourceNotAttachedError";
  }
}

/** A hook tool printed data of an unexpected shape. */
export class UnexpectedOutputError extends Error {
  constructor(tool: string, expected: string, value: unknown) {
    super(`${tool} printed ${JSON.stringify(value)?.slice(0, 200)}, expected ${expected}`);
    this.name = "UnexpectedOutputError";
  }
}

interface Translation {
  tool?: string;
  pattern: RegExp;
  make: (error: HookToolError) => Error;
}

// Juju reports these conditions only in stderr text, so match it here, in one place (like ops' _ModelBackend).
const TRANSLATIONS: readonly Translation[] = [
  { pattern: /relation not found/i, make: (e) => new RelationNotFoundError(e) },
  {
    tool: "resource-get",
    pattern: /could not download resource|resource.* not found|no resource/i,
    make: (e) => new ResourceNotAttachedError(e),
  },
];

/** Maps a HookToolError to a typed error by Juju's stderr; other errors are returned unchanged. */
export function translateHookToolError(error: unknown): unknown {
  if (!(error instanceof HookToolError)) return error;
  const match = TRANSLATIONS.find(
    (t) => (t.tool === undefined || t.tool === error.command[0]) && t.pattern.test(error.stderr),
  );
  return match ? match.make(error) : error;
}

/** Runs a hook-tool call and rethrows its failure translated through the lookup table. */
export async function translated<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translateHookToolError(error);
  }
}
