// Entry of ./health (lib/health.cjs): the version gate first, then the report (cli.ts).
import { startOnRecentNode } from "../runtime/node-gate";

startOnRecentNode(async () => (await import("./cli")).runHealthCli(process.argv.slice(2)));
