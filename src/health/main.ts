// Entry of ./health and the health action: one line, exit 0 ready, 1 not ready (with --peers: one line
// per peer probed through the overlay, exit 1 if any is unreachable). It must stay light: no
// etcd client and no Juju tools, since operators run it outside hooks via `juju exec`.
// `./health --explain [reason]` prints what each reason token means instead.
import { runPeersCheck } from "../peers/peers-check";
import { computeHealth, type Health } from "./health";
import { lightRun } from "./light-run";
import { observeHealth } from "./observe";
import { prefetchedRun } from "./prefetched";
import { explainReasons, type Reason } from "./reasons";

const HEALTH_ERROR: Reason = "health-error";

/** Tells ./health's shell that this Node.js is too old, so it looks for another (see the health script). */
const EXIT_NODE_TOO_OLD = 3;
const MIN_NODE_MAJOR = 18;

async function runHealth(): Promise<Health> {
  try {
    return computeHealth(await observeHealth({ run: prefetchedRun(process.env, lightRun) }));
  } catch (error) {
    process.stderr.write(`health: ${error instanceof Error ? error.message : String(error)}\n`);
    return { line: `not-ready reason:${HEALTH_ERROR}`, exitCode: 1 };
  }
}

// The bundle is compiled for old Node.js syntax so that this check runs instead of a syntax error.
const [flag, token] = process.argv.slice(2);
if (Number(process.versions.node.split(".")[0]) < MIN_NODE_MAJOR) {
  process.exitCode = EXIT_NODE_TOO_OLD;
} else if (flag === "--peers") {
  runPeersCheck().then((code) => {
    process.exitCode = code;
  });
} else if (flag === "--explain") {
  const explained = explainReasons(token);
  process.stdout.write(explained.text);
  process.exitCode = explained.exitCode;
} else {
  runHealth().then((health) => {
    process.stdout.write(`${health.line}\n`);
    process.exitCode = health.exitCode;
  });
}
