// Entry of lib/metrics.cjs, which flannel-metrics.service runs every 30 s: the version gate, then one
// collection (cli.ts). CommonJS with no execa and no etcd client, so a run costs little more than Node's start.
import { startOnRecentNode } from "../runtime/node-gate";

startOnRecentNode(async () => {
  process.exitCode = await (await import("./cli")).runMetricsCli(process.argv.slice(2));
});
