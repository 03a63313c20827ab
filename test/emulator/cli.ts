// Entry of the emulator bundle: `node emulator.cjs <op> --model M --charm-dir D [args]` prints JSON;
// `node emulator.cjs <hook-tool> ARGS…` behaves as that hook tool (the wrappers call it this way).
import { existsSync } from "node:fs";
import { dirname, join, resolve as resolvePath } from "node:path";
import { parseArgs } from "node:util";
import { loadCharm } from "./charm-meta";
import { installHookTools } from "./install";
import { type ConfigValue, createModel, writeModel } from "./model";
import * as runner from "./runner";
import { mainHookTool, tools } from "./tool-dispatch";

const options = {
  model: { type: "string" },
  "charm-dir": { type: "string" },
  "bin-dir": { type: "string" },
  "relation-id": { type: "string" },
  name: { type: "string" },
  "remote-app": { type: "string" },
  unit: { type: "string" },
  data: { type: "string" },
  json: { type: "string" },
} as const;

type Values = { [K in keyof typeof options]?: string };

function need(values: Values, key: keyof Values): string {
  const value = values[key];
  if (value === undefined) throw new Error(`--${key} is required`);
  return value;
}

function json<T>(text: string | undefined, fallback: T): T {
  return text === undefined ? fallback : (JSON.parse(text) as T);
}

/** `key=value` config arguments typed by config.yaml, as `juju config` does. */
function parseConfig(charmDir: string, args: string[]): Record<string, ConfigValue | null> {
  const opts = loadCharm(charmDir).options;
  const entries = args.map((arg) => {
    const [key = "", value = ""] = arg.split(/=(.*)/s);
    const type = opts[key]?.type;
    if (value === "") return [key, null];
    if (type === "int" || type === "float") return [key, Number(value)];
    if (type === "boolean") return [key, value === "true"];
    return [key, value];
  });
  return Object.fromEntries(entries);
}

function runOp(op: string, values: Values, args: string[], opts: runner.RunnerOptions): Promise<unknown> {
  const id = Number(values["relation-id"]);
  switch (op) {
    case "deploy":
      return runner.deploy(opts);
    case "config":
      return runner.configChange(opts, parseConfig(opts.charmDir, args));
    case "relate":
      return runner.relate(opts, {
        name: need(values, "name"),
        remoteApp: need(values, "remote-app"),
        ...json(values.json, {}),
      });
    case "remote-joins":
      return runner.remoteJoins(opts, id, need(values, "unit"), json(values.data, {}));
    case "remote-change":
      return runner.remoteChange(opts, id, values.unit ?? null, json(values.data, {}));
    case "remote-departs":
      return runner.remoteDeparts(opts, id, need(values, "unit"));
    case "unrelate":
      return runner.unrelate(opts, id);
    case "update-status":
      return runner.updateStatus(opts);
    case "upgrade-charm":
      return runner.upgradeCharm(opts);
    case "remove":
      return runner.remove(opts);
    case "action":
      return runner.runAction(opts, args[0] ?? "", json(values.json, {}));
    case "resolve":
      return runner.resolve(opts);
    default:
      throw new Error(`unknown operation "${op}"`);
  }
}

async function mainCli(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv.slice(2), options, allowPositionals: true });
  const [op = "", ...args] = positionals;
  const modelPath = resolvePath(need(values, "model"));
  if (op === "init") {
    writeModel(modelPath, createModel(json(values.json, {})));
    console.log(JSON.stringify({ model: modelPath }));
    return;
  }
  const binDir = resolvePath(values["bin-dir"] ?? join(dirname(modelPath), "emulator-bin"));
  installHookTools(binDir, resolvePath(argv[1] ?? ""));
  const opts = { charmDir: resolvePath(need(values, "charm-dir")), modelPath, binDir };
  if (!existsSync(modelPath)) throw new Error(`no model at ${modelPath}; run init first`);
  console.log(JSON.stringify(await runOp(op, values, args, opts), null, 2));
}

if ((process.argv[2] ?? "") in tools) {
  mainHookTool(process.argv);
} else {
  mainCli(process.argv).catch((error: unknown) => {
    const problems = (error as { problems?: string[] }).problems;
    console.log(JSON.stringify({ ok: false, error: String((error as Error).message ?? error), problems }));
    process.exitCode = 1;
  });
}
