// npm run soak -- --minutes N --seed S [--interval SECONDS] [--out build/soak.json]
// The randomized soak of issue 19 from a terminal (bundled by scripts/soak like `npm run world`). Run as root.
import { randomInt } from "node:crypto";
import { Command, InvalidArgumentError } from "commander";
import { summarize, writeReport } from "./report";
import { runSoak } from "./soak";

function whole(what: string, min: number, max: number) {
  return (text: string): number => {
    const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (n >= min && n <= max) return n;
    throw new InvalidArgumentError(`${what}: a whole number from ${min} to ${max}.`);
  };
}

const program = new Command("soak")
  .description("random faults and drifts on a booted world while hooks keep coming; checks the invariants")
  .option("--minutes <n>", "minutes of faults", whole("minutes", 1, 1440), 30)
  .option("--seed <n>", "the seed (default: a random one, printed)", whole("seed", 0, 2 ** 32 - 1))
  .option("--interval <s>", "update-status interval in seconds", whole("interval", 5, 600), 20)
  .option("--out <path>", "where the report goes", "build/soak.json")
  .action(async (options: { minutes: number; seed?: number; interval: number; out: string }) => {
    const seed = options.seed ?? randomInt(0, 2 ** 32 - 1);
    const report = await runSoak({ seed, minutes: options.minutes, updateStatusIntervalS: options.interval });
    await writeReport(options.out, report);
    console.log(summarize(report));
    console.log(`soak: wrote ${options.out}`);
    process.exitCode = report.violations.length > 0 ? 1 : 0;
  });

await program.parseAsync();
