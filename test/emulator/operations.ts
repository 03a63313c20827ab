// The operator's commands (deploy, config, relate, …) as the agent runs them for `juju-emulator <op>`.
import { existsSync, readFileSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { parseArgs } from "node:util";
import type { Agent, OperatorAnswer } from "./agent";
import { loadCharm } from "./charm-meta";
import { type ConfigValue, createModel, type SecretRecord, writeModel } from "./model";
import * as runner from "./runner";
import { NeedStdin } from "./tool-dispatch";

export const operationOptions = {
  model: { type: "string" },
  "charm-dir": { type: "string" },
  "bin-dir": { type: "string" },
  jujuc: { type: "string" },
  "relation-id": { type: "string" },
  name: { type: "string" },
  "remote-app": { type: "string" },
  unit: { type: "string" },
  data: { type: "string" },
  /** The --data JSON from a file, or from stdin with `-`: no argv cap (one element is at most 128 KiB). */
  "data-file": { type: "string" },
  json: { type: "string" },
  /** A secret's URI (secret-changed, secret-expired, secret-consumer-refresh). */
  uri: { type: "string" },
  /** Hooks run with FLANNEL_CHARM_TRACE and report the charm's waits. */
  trace: { type: "boolean" },
} as const;

export type Values = { [K in Exclude<keyof typeof operationOptions, "trace">]?: string } & {
  trace?: boolean;
};

export function need<T extends { [key: string]: string | boolean | undefined }>(
  values: T,
  key: keyof T & string,
): string {
  const value = values[key];
  if (typeof value !== "string") throw new Error(`--${key} is required`);
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
    // Anything but true/false stays a string, which the controller check then refuses as Juju does.
    if (type === "boolean") return [key, value === "true" ? true : value === "false" ? false : value];
    return [key, value];
  });
  return Object.fromEntries(entries);
}

/** Reads the operator's stdin (the agent asks the client for it on first use). */
export type ReadStdin = () => string;

/** A remote unit's settings: --data, or --data-file (a path in the command's directory, or - for stdin). */
function dataOf(values: Values, dir: string, readStdin: ReadStdin): Record<string, string> {
  const file = values["data-file"];
  if (file === undefined) return json(values.data, {});
  if (values.data !== undefined) throw new Error("give --data or --data-file, not both");
  return JSON.parse(file === "-" ? readStdin() : readFileSync(resolvePath(dir, file), "utf8"));
}

function runOp(
  op: string,
  values: Values,
  args: string[],
  opts: runner.RunnerOptions,
  data: () => Record<string, string>,
): Promise<unknown> {
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
      return runner.remoteJoins(opts, id, need(values, "unit"), data());
    case "remote-change":
      return runner.remoteChange(opts, id, values.unit ?? null, data());
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
    case "secret-changed":
      // The new content as --json, or as --data-file (stdin: no certificate in argv).
      return runner.secretChanged(
        opts,
        need(values, "uri"),
        values["data-file"] === undefined ? json(values.json, {}) : data(),
      );
    case "secret-expired":
      return runner.secretExpired(opts, need(values, "uri"));
    case "secret-consumer-refresh":
      return runner.secretConsumerRefresh(opts, need(values, "uri"), need(values, "unit"));
    case "secret-put":
      // The record (content included) comes as --data-file, never in argv.
      return runner.secretPut(opts, data() as unknown as SecretRecord);
    case "exec":
      return runner.exec(opts, args);
    default:
      throw new Error(`unknown operation "${op}"`);
  }
}

/** Parses an operator command line: the operation, its options and its arguments. */
export function parseOperation(argv: string[]): { op: string; values: Values; args: string[] } {
  const { values, positionals } = parseArgs({
    args: argv,
    options: operationOptions,
    allowPositionals: true,
  });
  const [op = "", ...args] = positionals;
  return { op, values, args };
}

/** Runs one operator command against `agent`; the answer's stdout is the JSON the CLI prints. */
export async function runOperation(
  argv: string[],
  dir: string,
  setup: { agent: Agent; binDir: string },
  readStdin: ReadStdin = () => "",
): Promise<OperatorAnswer> {
  try {
    const { op, values, args } = parseOperation(argv);
    if (op === "ping") return { code: 0, stdout: `${JSON.stringify({ ok: true })}\n` };
    const modelPath = resolvePath(dir, need(values, "model"));
    if (op === "init") {
      writeModel(modelPath, createModel(json(values.json, {})));
      return { code: 0, stdout: `${JSON.stringify({ model: modelPath })}\n` };
    }
    if (!existsSync(modelPath)) throw new Error(`no model at ${modelPath}; run init first`);
    const charmDir = resolvePath(dir, need(values, "charm-dir"));
    const opts = {
      charmDir,
      modelPath,
      binDir: setup.binDir,
      agent: setup.agent,
      trace: values.trace === true,
    };
    const data = () => dataOf(values, dir, readStdin);
    return { code: 0, stdout: `${JSON.stringify(await runOp(op, values, args, opts, data), null, 2)}\n` };
  } catch (error) {
    // The agent answers this by asking the client for stdin and runs the command again with it.
    if (error instanceof NeedStdin) throw error;
    const problems = (error as { problems?: string[] }).problems;
    const message = String((error as Error).message ?? error);
    return { code: 1, stdout: `${JSON.stringify({ ok: false, error: message, problems })}\n` };
  }
}
