// The first lines of the bundles that dispatch and ./health start on whatever Node.js comes first on PATH.
// They check its version themselves, which costs nothing, where asking `node --version` first costs a
// second load of the Node.js binary on every call (about 18 ms with Debian's, a tenth of its start).

/** Tells the calling script that this Node.js is too old, so that it looks for another. */
export const EXIT_NODE_TOO_OLD = 3;
export const MIN_NODE_MAJOR = 18;

/**
 * Starts the entry's real work on a recent enough Node.js, else sets exit code 3 and does nothing. The
 * work is imported only then: its modules (and the builtins they require) would not load on an old one.
 * Bundles that use this are compiled for old syntax, so that an old Node.js gets this far.
 */
export function startOnRecentNode(start: () => Promise<unknown>): void {
  if (Number(process.versions.node.split(".")[0]) < MIN_NODE_MAJOR) {
    process.exitCode = EXIT_NODE_TOO_OLD;
    return;
  }
  start().catch((error: unknown) => {
    process.exitCode = 1;
    console.error(error instanceof Error ? error.message : String(error));
  });
}
