// Entry of ./health and the health action: one line, exit 0 ready, 1 not ready (with --peers: one line
// per peer probed through the overlay, exit 1 if any is unreachable). It must stay light: no
// etcd client and no Juju tools, since operators run it outside hooks via `juju exec`.

import { runPeersCheck } from "../peers/peers-check";
import { computeHealth, type Health } from "./health";
import { observeHealth } from "./observe";

async function runHealth(): Promise<Health> {
  try {
    return computeHealth(await observeHealth());
  } catch (error) {
    process.stderr.write(`health: ${error instanceof Error ? error.message : String(error)}\n`);
    return { line: "not-ready reason:health-error", exitCode: 1 };
  }
}

if (process.argv.includes("--peers")) {
  process.exitCode = await runPeersCheck();
} else {
  const health = await runHealth();
  process.stdout.write(`${health.line}\n`);
  process.exitCode = health.exitCode;
}
