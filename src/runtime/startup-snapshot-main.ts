// What `node --build-snapshot` runs to make this machine's start-up snapshot (lib/node-startup.cjs; see
// startup-snapshot.ts): Node.js's own start-up is captured once, and the snapshot's main loads the script
// named on the command line as `node SCRIPT` would. Only Node.js's built-ins can be required here.
import { resolve } from "node:path";
import { startupSnapshot } from "node:v8";

startupSnapshot.setDeserializeMainFunction(() => {
  // process.cwd() would answer the directory the snapshot was built in: make it ask the kernel again.
  // (A directory removed under the process cannot be entered again; Node.js then fails as it would.)
  try {
    process.chdir(".");
  } catch {}
  // Node.js 18 warns, for node:module required from a snapshot's main, that it is "not yet supported in
  // user snapshots": it is not in the snapshot, it loads now as in any start, so the warning is not shown.
  const emitWarning = process.emitWarning;
  process.emitWarning = () => undefined;
  const { createRequire } = require("node:module") as typeof import("node:module");
  process.emitWarning = emitWarning;
  const script = resolve(process.argv[1] ?? "");
  createRequire(script)(script);
});
