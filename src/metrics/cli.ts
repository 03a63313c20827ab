import { collectMetrics } from "./collect";
import { renderMetrics } from "./render";
import { TEXTFILE_PATH, writeTextfile } from "./textfile";

const USAGE = "usage: metrics.cjs --unit UNIT [--output PATH | --stdout]";

/** `lib/metrics.cjs --unit flannel/0`: one collection into the textfile (or stdout); exit 2 on bad usage. */
export async function runMetricsCli(argv: readonly string[]): Promise<number> {
  const options = parseArgs(argv);
  if (options === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const text = renderMetrics(await collectMetrics({ unit: options.unit }));
  if (options.output === "-") process.stdout.write(text);
  else await writeTextfile(text, options.output);
  return 0;
}

function parseArgs(argv: readonly string[]): { unit: string; output: string } | undefined {
  let unit: string | undefined;
  let output = TEXTFILE_PATH;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--unit") unit = argv[++i];
    else if (arg === "--output") output = argv[++i] ?? "";
    else if (arg === "--stdout") output = "-";
    else return undefined;
  }
  return unit === undefined || unit === "" || output === "" ? undefined : { unit, output };
}
