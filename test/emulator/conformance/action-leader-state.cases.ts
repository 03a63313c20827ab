import type { Model } from "../model";
import type { ConformanceCase, ToolTable } from "./case";
import { fails, ok, usage } from "./helpers";

// action-*_test.go, leader-get/-set_test.go, state-*_test.go, goal-state_test.go.
function action(params: Record<string, unknown> = {}) {
  return (m: Model) => {
    m.action = { name: "a", id: "1", params, results: {}, failed: false, message: "", logs: [] };
  };
}
const get = (
  args: string[],
  params: Record<string, unknown>,
  stdout: string,
  name: string,
): ConformanceCase => ok(name, ["action-get", ...args], stdout, { model: action(params) });
const one = { outfile: "foo.bz2" };
const inner = { outfile: { filename: "foo.bz2", format: "bzip" } };
const typed = { outfile: { type: { "1": "raw", "2": "gzip", "3": "bzip" } } };
const fiveKey = { outfile: { "5": { "1": "raw", "2": "gzip", "3": "bzip" } } };
const typeYaml = '"1": raw\n"2": gzip\n"3": bzip\n';
const typeJson = '{"1":"raw","2":"gzip","3":"bzip"}\n';
const formats = (
  name: string,
  args: string[],
  params: Record<string, unknown>,
  smartYaml: string,
  json: string,
) => [
  get(args, params, smartYaml, `${name} (smart)`),
  get(["--format", "yaml", ...args], params, smartYaml, `${name} (yaml)`),
  get(["--format", "json", ...args], params, json, `${name} (json)`),
];

export const actionGet: ToolTable = {
  tool: "action-get",
  cases: [
    {
      ...fails("outside an action", ["action-get"], "not running an action"),
      weaker:
        "Juju's double words it `ActionParams queried from non-Action hook context`; the real context says `not running an action`",
    },
    ...formats("empty map", [], {}, "{}\n", "{}\n"),
    ...formats("nonexistent key", ["foo"], {}, "", "null\n"),
    ...formats("nonexistent inner key", ["outfile.type"], inner, "", "null\n"),
    ...formats("nonexistent inner inner key", ["outfile.type.1"], inner, "", "null\n"),
    ...formats("map with a non-string key", ["outfile.type"], fiveKey, "", "null\n"),
    ...formats("one key", [], one, "outfile: foo.bz2\n", '{"outfile":"foo.bz2"}\n'),
    ...formats(
      "entire map",
      [],
      typed,
      `outfile:\n  type:\n${typeYaml.replace(/^/gm, "    ").trimEnd()}\n`,
      `{"outfile":{"type":${typeJson.trim()}}}\n`,
    ),
    ...formats("inner map", ["outfile.type"], typed, typeYaml, typeJson),
    usage("too many arguments", ["action-get", "multiple", "keys"], 'unrecognized args: ["keys"]', {
      model: action(),
    }),
  ],
  notExpressible: [
    {
      name: "a map with an inner map keyed by interface{} (3 formats)",
      why: "Go's map[interface{}]interface{}: JSON params have only string keys (the string-keyed twin runs above)",
    },
  ],
};

const results = (want: Record<string, unknown>) => (m: Model) => {
  if (JSON.stringify(m.action?.results) !== JSON.stringify(want))
    throw new Error(`results ${JSON.stringify(m.action?.results)}`);
};
const set = (name: string, argv: string[], want: Record<string, unknown>) =>
  ok(name, ["action-set", ...argv], "", { model: action(), after: results(want) });

export const actionSet: ToolTable = {
  tool: "action-set",
  cases: [
    fails("outside an action", ["action-set", "oops=nope"], "not running an action"),
    usage("bare value", ["action-set", "result"], 'argument "result" must be of the form key...=value', {
      model: action(),
    }),
    usage(
      "invalid key",
      ["action-set", "result-Value=5"],
      'key "result-Value" must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric, hyphens and periods',
      { model: action() },
    ),
    usage("reserved key", ["action-set", "stdout=foo"], 'cannot set reserved action key "stdout"', {
      model: action(),
    }),
    set("empty value", ["result="], { result: "" }),
    set("one key", ["outfile=foo.bz2"], { outfile: "foo.bz2" }),
    set("two keys", ["outfile=foo.bz2", "size=10G"], { outfile: "foo.bz2", size: "10G" }),
    set("multiple =", ["outfile=foo=bz2"], { outfile: "foo=bz2" }),
    set("interleaved", ["outfile.name=foo.bz2", "outfile.kind.util=bzip2", "outfile.kind.ratio=high"], {
      outfile: { name: "foo.bz2", kind: { util: "bzip2", ratio: "high" } },
    }),
    set("conflicting values", ["util=bzip2", "util=5"], { util: "5" }),
    set("map then value", ["map1.key=val", "map1=val"], { map1: "val" }),
  ],
  notExpressible: [],
};

const failed = (message: string, isFailed: boolean) => (m: Model) => {
  if (m.action?.failed !== isFailed || m.action?.message !== message)
    throw new Error(`action ${JSON.stringify(m.action)}`);
};

export const actionFail: ToolTable = {
  tool: "action-fail",
  cases: [
    ok("default message", ["action-fail"], "", {
      model: action(),
      after: failed("action failed without reason given, check action for errors", true),
    }),
    ok("message", ["action-fail", "a failure message"], "", {
      model: action(),
      after: failed("a failure message", true),
    }),
    usage(
      "extra arguments",
      ["action-fail", "a failure message", "something else"],
      'unrecognized args: ["something else"]',
      { model: action(), after: failed("", false) },
    ),
    fails("outside an action", ["action-fail", "oops"], "not running an action"),
  ],
  notExpressible: [],
};

const logged = (message: string) => (m: Model) => {
  if (m.action?.logs.at(-1) !== message) throw new Error(`logs ${JSON.stringify(m.action?.logs)}`);
};

export const actionLog: ToolTable = {
  tool: "action-log",
  cases: [
    ok("one argument", ["action-log", "a failure message"], "", {
      model: action(),
      after: logged("a failure message"),
    }),
    ok("arguments joined", ["action-log", "a log message", "something else"], "", {
      model: action(),
      after: logged("a log message something else"),
    }),
    usage("no message", ["action-log"], "no message specified", { model: action() }),
    fails("outside an action", ["action-log", "oops"], "not running an action"),
  ],
  notExpressible: [],
};

const leaderSettings = (m: Model) => {
  m.leaderSettings = { key: "value", sample: "settings" };
};
const all = { key: "value", sample: "settings" };
const lg = (name: string, args: string[], extra: Partial<ConformanceCase>) =>
  ({
    name,
    argv: ["leader-get", ...args],
    code: 0,
    stdout: "",
    model: leaderSettings,
    ...extra,
  }) as ConformanceCase;

export const leaderGet: ToolTable = {
  tool: "leader-get",
  cases: [
    usage("invalid key", ["leader-get", "x=x"], 'invalid key "x=x"'),
    usage(
      "format error",
      ["leader-get", "--format", "bad"],
      'invalid value "bad" for option --format: unknown format "bad"',
    ),
    lg("default missing key", ["unknown"], {}),
    lg("default key", ["key"], { stdout: "value\n" }),
    lg("default all", ["-"], { parsed: { format: "yaml", value: all } }),
    lg("default empty", [], { parsed: { format: "yaml", value: all } }),
    lg("smart missing key", ["--format", "smart", "unknown"], {}),
    lg("smart key", ["--format", "smart", "key"], { stdout: "value\n" }),
    lg("smart all", ["--format", "smart", "-"], { parsed: { format: "yaml", value: all } }),
    lg("smart empty", ["--format", "smart"], { parsed: { format: "yaml", value: all } }),
    lg("json missing key", ["--format", "json", "unknown"], { parsed: { format: "json", value: null } }),
    lg("json key", ["--format", "json", "key"], { parsed: { format: "json", value: "value" } }),
    lg("json all", ["--format", "json", "-"], { parsed: { format: "json", value: all } }),
    lg("json empty", ["--format", "json"], { parsed: { format: "json", value: all } }),
    lg("yaml missing key", ["--format", "yaml", "unknown"], { parsed: { format: "yaml", value: null } }),
    lg("yaml key", ["--format", "yaml", "key"], { parsed: { format: "yaml", value: "value" } }),
    lg("yaml all", ["--format", "yaml", "-"], { parsed: { format: "yaml", value: all } }),
    lg("yaml empty", ["--format", "yaml"], { parsed: { format: "yaml", value: all } }),
  ],
  notExpressible: [
    {
      name: "TestSettingsError",
      why: "a settings read failure (zap): the emulator's model cannot fail a read",
    },
  ],
};

const leaderIs = (want: Record<string, string>) => (m: Model) => {
  if (JSON.stringify(m.leaderSettings ?? {}) !== JSON.stringify(want))
    throw new Error(`settings ${JSON.stringify(m.leaderSettings)}`);
};

export const leaderSet: ToolTable = {
  tool: "leader-set",
  cases: [
    ok("write empty", ["leader-set"], "", { after: leaderIs({}) }),
    ok("write values", ["leader-set", "foo=bar", "baz=qux"], "", {
      after: leaderIs({ foo: "bar", baz: "qux" }),
    }),
    usage("init error", ["leader-set", "nonsense"], 'expected "key=value", got "nonsense"'),
  ],
  notExpressible: [
    {
      name: "TestWriteError",
      why: "Juju's double fails the write (splat); the emulator's only failure is a non-leader (its own message)",
    },
  ],
};

const twoState = (m: Model) => {
  m.unitState = { one: "two", three: "four" };
};
const stateIs = (want: Record<string, string>) => (m: Model) => {
  if (JSON.stringify(m.unitState ?? {}) !== JSON.stringify(want))
    throw new Error(`state ${JSON.stringify(m.unitState)}`);
};

export const stateGet: ToolTable = {
  tool: "state-get",
  cases: [
    ok("all values, no args", ["state-get"], "one: two\nthree: four\n", { model: twoState }),
    ok("all values with -", ["state-get", "-"], "one: two\nthree: four\n", { model: twoState }),
    ok("value of key", ["state-get", "one"], "two\n", { model: twoState }),
    fails("strict, key not found", ["state-get", "--strict", "five"], '"five" not found', {
      model: twoState,
    }),
    ok("key not found", ["state-get", "five"], "", { model: twoState }),
    ok("empty result", ["state-get", "five"], ""),
  ],
  notExpressible: [],
};

export const stateSet: ToolTable = {
  tool: "state-set",
  cases: [
    ok("no input", ["state-set"], "", { after: stateIs({}) }),
    ok("one value", ["state-set", "one=two"], "", { after: stateIs({ one: "two" }) }),
    ok("two values", ["state-set", "one=two", "three=four"], "", {
      after: stateIs({ one: "two", three: "four" }),
    }),
    ok("yaml from stdin", ["state-set", "--file", "-"], "", {
      stdin: "{one: two, three: four}",
      after: stateIs({ one: "two", three: "four" }),
    }),
    fails(
      "not yaml",
      ["state-set", "--file", "-"],
      "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!str `one = two` into map[string]string",
      { stdin: "one = two" },
    ),
    usage("no equal sign", ["state-set", "five"], 'expected "key=value", got "five"'),
    ok("empty value deletes", ["state-set", "one="], "", {
      model: (m) => {
        m.unitState = { one: "two" };
      },
      after: stateIs({}),
    }),
    ok("set then empty", ["state-set", "one="], "", {
      before: [["state-set", "one=two"]],
      after: stateIs({}),
    }),
  ],
  notExpressible: [],
};

export const stateDelete: ToolTable = {
  tool: "state-delete",
  cases: [
    ok("delete one", ["state-delete", "five"], "", {
      model: (m) => {
        m.unitState = { five: "5", six: "6" };
      },
      after: stateIs({ six: "6" }),
    }),
    ok("empty key", ["state-delete", ""], ""),
  ],
  notExpressible: [],
};

const since = "2200-11-05 15:29:12Z";
const goal = (m: Model) => {
  m.goalState = {
    units: { "mysql/0": { status: "active", since } },
    relations: {
      db: { "mysql/0": { status: "active", since } },
      server: { "wordpress/0": { status: "active", since } },
    },
  };
};
const goalYaml = `units:\n  mysql/0:\n    status: active\n    since: ${since}\nrelations:\n  db:\n    mysql/0:\n      status: active\n      since: ${since}\n  server:\n    wordpress/0:\n      status: active\n      since: ${since}\n`;
const goalJson = `{"units":{"mysql/0":{"status":"active","since":"${since}"}},"relations":{"db":{"mysql/0":{"status":"active","since":"${since}"}},"server":{"wordpress/0":{"status":"active","since":"${since}"}}}}\n`;

export const goalState: ToolTable = {
  tool: "goal-state",
  cases: [
    ok("default", ["goal-state"], goalYaml, { model: goal }),
    ok("yaml", ["goal-state", "--format", "yaml"], goalYaml, { model: goal }),
    ok("json", ["goal-state", "--format", "json"], goalJson, { model: goal }),
    ok("--output", ["goal-state", "--output", "some-file"], "", {
      model: goal,
      file: { path: "some-file", content: goalYaml },
    }),
    ok("yaml --output", ["goal-state", "--format", "yaml", "--output", "some-file"], "", {
      model: goal,
      file: { path: "some-file", content: goalYaml },
    }),
    ok("json --output", ["goal-state", "--format", "json", "--output", "some-file"], "", {
      model: goal,
      file: { path: "some-file", content: goalJson },
    }),
  ],
  notExpressible: [],
};
