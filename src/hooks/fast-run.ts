// What lib/hook.cjs starts for every hook and action once Node.js is recent enough (lib/hook-run.cjs). It is
// CommonJS and holds only the fast path, because a hook that changes nothing should cost little more than Node's own start: an ES module
// graph with the full reconcile took about 30 ms of CPU to load against 8 ms for this bundle (measured
// side by side, minimum of 41 runs). Everything else imports the full bundle, lib/charm.mjs (main.ts).
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { jujuContext } from "../juju/context";
import { traceNote } from "../trace/spans";
import { tryFastPath } from "./fast-path";

async function main() {
  if (await tryFastPath(jujuContext()).catch(fallBack)) return;
  // A path built at run time: the bundler leaves this import to Node, which loads the ES module bundle.
  await import(pathToFileURL(join(__dirname, "charm.mjs")).href);
}

// The fast path only reads: whatever stopped it (a hook tool that failed, a file it could not read), the
// full reconcile runs and deals with it as it always did.
function fallBack(error: unknown): false {
  traceNote(
    "full-reconcile",
    error instanceof Error ? `the fast path failed: ${error.name}` : "the fast path failed",
  );
  return false;
}

main().catch((error: unknown) => {
  process.exitCode = 1;
  console.error(error instanceof Error ? error.message : String(error));
});
