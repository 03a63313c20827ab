// Prints build/faults.json (written by test/faults) as one table row per scenario.
import { readFileSync } from "node:fs";

const results = JSON.parse(readFileSync(process.argv[2] ?? "build/faults.json", "utf8"));
const pad = (text, width) => String(text).padEnd(width);
console.log(
  `${pad("scenario", 44)} ${pad("result", 6)} ${pad("hook err", 8)} ${pad("lease viol", 10)} ${pad("pings lost", 10)} recovery`,
);
for (const r of results) {
  const recovery = r.recoverySeconds === null ? "-" : `${r.recoverySeconds.toFixed(1)} s`;
  const cells = [pad(r.name, 44), pad(r.passed ? "pass" : "FAIL", 6), pad(r.hookErrors, 8)];
  console.log([...cells, pad(r.leaseViolations, 10), pad(r.pingsLost, 10), recovery].join(" "));
}
const failed = results.filter((r) => !r.passed).length;
console.log(`faults: ${results.length} scenarios, ${results.length - failed} passed, ${failed} failed`);
