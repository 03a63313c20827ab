// Prints the plain closing line CI reads, from vitest's JSON report.
import { readFileSync } from "node:fs";

const path = process.argv[2] ?? "build/vitest-report.json";
let report;
try {
  report = JSON.parse(readFileSync(path, "utf8"));
} catch (error) {
  console.log(
    `test-summary: no vitest report at ${path} (${error.code ?? error.message}): the suite did not run`,
  );
  process.exit(1);
}
const skipped = report.numPendingTests + report.numTodoTests;
// A test file that failed to load has no test results but must still count as a failure.
const brokenFiles = report.testResults.filter(
  (file) => file.status === "failed" && file.assertionResults.length === 0,
);
const failed = report.numFailedTests + brokenFiles.length;
console.log(
  `Tests: ${report.numPassedTests} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`,
);
