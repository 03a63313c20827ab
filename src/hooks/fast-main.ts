// Entry of every hook and action (lib/hook.cjs, run by dispatch on the first Node.js on PATH): the version
// gate, then the fast path (lib/hook-run.cjs, from fast-run.ts), which falls back to the full reconcile.
import { startOnRecentNode } from "../runtime/node-gate";

startOnRecentNode(async () => {
  // A separate file: its modern syntax would not even parse on the old Node.js the gate turns away.
  require("./hook-run.cjs");
});
