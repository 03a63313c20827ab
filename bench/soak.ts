// The bench's soak section: 30 minutes of random faults (test/soak), its report written to build/soak.json,
// its headline figures returned for bench.json. Violations are reported, never asserted here.
import { randomInt } from "node:crypto";
import { summarize, writeReport } from "../test/soak/report";
import { runSoak } from "../test/soak/soak";

export async function soakFigures(minutes: number, seed = randomInt(0, 2 ** 32 - 1)) {
  const report = await runSoak({ seed, minutes, updateStatusIntervalS: 20 });
  await writeReport("build/soak.json", report);
  console.error(summarize(report));
  return {
    soak: {
      seed: report.seed,
      minutes: report.minutes,
      faults: Object.values(report.faultsPerKind).reduce((a, b) => a + b, 0),
      violations: report.violationsPerInvariant,
      worst_recovery_s: report.worstRecoveryS,
      unrepaired_kinds: Object.keys(report.unrepaired),
    },
  };
}
