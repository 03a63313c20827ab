import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/paths";
import { summarize, writeReport } from "./report";
import { runSoak } from "./soak";

// The short soak of issue 19 in `npm test`: a fixed seed, 3 minutes of faults (the world's boot and the last
// recovery window come on top), update-status every 20 s. Any violation fails it; build/soak-short.json
// keeps the whole record, and the summary names the command that replays it.

const SEED = 19;
const MINUTES = 3;
// Boot and deploy of 5 machines with dockerd, 3 min of faults, the last window, teardown: on a loaded machine.
const TIMEOUT_MS = 1_800_000;

describe("randomized soak (short, fixed seed)", () => {
  it(
    "keeps every invariant through 3 minutes of random faults and drifts",
    { timeout: TIMEOUT_MS },
    async () => {
      const report = await runSoak({ seed: SEED, minutes: MINUTES, updateStatusIntervalS: 20 });
      await writeReport(`${REPO_ROOT}/build/soak-short.json`, report);
      console.log(summarize(report));
      expect(
        report.violations.map((v) => `${v.invariant} t=${v.t}s [${v.faults.join(", ")}] ${v.details}`),
      ).toEqual([]);
    },
  );
});
