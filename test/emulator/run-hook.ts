import { spawn } from "node:child_process";
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Agent, CallRecord } from "./agent";
import { loadCharm } from "./charm-meta";
import { buildHookEnv } from "./hook-env";
import type { HookEvent, Model } from "./model";
import { readModel, writeModel } from "./model";
import { diffModels, type ModelDiff } from "./model-diff";

/** Where the charm is, where the model file is, the hook tools to put first on PATH and their agent. */
export interface RunnerOptions {
  charmDir: string;
  modelPath: string;
  /** jujuc under every hook tool's name (installHookTools). */
  binDir: string;
  agent: Agent;
  /** PATH after binDir; defaults to the usual system directories. */
  basePath?: string;
  extraEnv?: Record<string, string>;
  /** Sets FLANNEL_CHARM_TRACE for each hook and returns the charm's timing spans. */
  trace?: boolean;
}

export interface HookResult {
  hook: string;
  /** False when the charm has neither dispatch nor this hook: Juju skips it silently. */
  ran: boolean;
  exitCode: number;
  stdout: string;
  stderr: string;
  diff: ModelDiff;
  /** The hook's hook-tool calls in the order they started. */
  calls: CallRecord[];
  /** Wall time of the hook process, spawn to exit. */
  durationMs: number;
  /** The charm's waits (systemctl, etcd, lease-wait), when the operation ran with trace on. */
  spans?: TraceSpan[];
}

/** One wait the charm timed (src/trace/spans.ts). */
export interface TraceSpan {
  span: string;
  ms: number;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Juju runs `dispatch` when the charm has one, else hooks/<name> (or actions/<name>). */
export function chooseEntry(charmDir: string, event: HookEvent): string | undefined {
  const dispatch = join(charmDir, "dispatch");
  if (existsSync(dispatch)) return dispatch;
  const legacy = event.action
    ? join(charmDir, "actions", event.action.name)
    : join(charmDir, "hooks", event.hook);
  return isExecutable(legacy) ? legacy : undefined;
}

function spawnHook(
  [entry = "", ...args]: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<[number, string, string]> {
  return new Promise((resolve) => {
    const child = spawn(entry, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", (error) => resolve([127, stdout, `${stderr}${error.message}\n`]));
    child.on("close", (code, signal) => resolve([code ?? (signal ? 128 : 1), stdout, stderr]));
  });
}

/** Refreshes what the controller would tell the unit from the charm: config defaults and bindings. */
function prepareModel(model: Model, charmDir: string): void {
  const charm = loadCharm(charmDir);
  model.configDefaults = Object.fromEntries(Object.entries(charm.options).map(([k, o]) => [k, o.default]));
  model.endpoints = [...Object.keys(charm.endpoints), ...charm.extraBindings];
  model.hookCount += 1;
}

/** Runs one event's hook with its model in the agent, then writes back what the hook tools changed. */
export function runHook(opts: RunnerOptions, event: HookEvent): Promise<HookResult> {
  const entry = chooseEntry(opts.charmDir, event);
  return runInContext(opts, event, entry ? [entry] : undefined);
}

/** Runs a command in a hook context of its own from the charm dir, as `juju exec` (juju-exec) does. */
export function runCommand(opts: RunnerOptions, argv: string[]): Promise<HookResult> {
  return runInContext(opts, { hook: "juju-exec" }, argv);
}

async function runInContext(opts: RunnerOptions, event: HookEvent, entry: string[] | undefined) {
  const model = readModel(opts.modelPath);
  prepareModel(model, opts.charmDir);
  writeModel(opts.modelPath, model);
  const hook = event.action?.name ?? event.hook;
  if (!entry) {
    const diff = diffModels(model, model, 0);
    return { hook, ran: false, exitCode: 0, stdout: "", stderr: "", diff, calls: [], durationMs: 0 };
  }
  const hookEnv = buildHookEnv(model, event, { ...opts, socketPath: opts.agent.socketPath });
  const trace = opts.trace ? traceFile() : undefined;
  const env = { ...hookEnv, ...(trace ? { FLANNEL_CHARM_TRACE: trace.file } : {}), ...opts.extraEnv };
  const contextId = hookEnv.JUJU_CONTEXT_ID ?? "";
  opts.agent.openContext(contextId, env, structuredClone(model));
  const started = performance.now();
  const [exitCode, stdout, stderr] = await spawnHook(entry, opts.charmDir, env);
  const durationMs = Math.round((performance.now() - started) * 100) / 100;
  const { model: after, calls } = opts.agent.closeContext(contextId);
  writeModel(opts.modelPath, after);
  const diff = diffModels(model, after, exitCode);
  const spans = trace ? { spans: trace.read() } : {};
  return { hook, ran: true, exitCode, stdout, stderr, diff, calls, durationMs, ...spans };
}

/** A fresh file for the charm's opt-in timing spans (FLANNEL_CHARM_TRACE), read and removed after the hook. */
function traceFile(): { file: string; read: () => TraceSpan[] } {
  const dir = mkdtempSync(join(tmpdir(), "flannel-trace-"));
  const file = join(dir, "spans.jsonl");
  const read = () => {
    const text = existsSync(file) ? readFileSync(file, "utf8") : "";
    rmSync(dir, { recursive: true, force: true });
    return text
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as TraceSpan);
  };
  return { file, read };
}
