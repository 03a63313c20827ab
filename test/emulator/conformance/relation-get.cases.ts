import type { Model } from "../model";
import type { ConformanceCase, ToolTable } from "./case";
import { relationHook } from "./fixture";
import { help, ok, usage } from "./helpers";

// relation-get_test.go: the fixture's peer0 holds u/0's "private-address: foo: bar\n"; peer1 has m/0
// (pew) and u/1 (value) as members.
function settings(model: Model): void {
  const [rel0, rel1] = model.relations;
  if (!rel0 || !rel1) return;
  rel0.localUnitData = { "private-address": "foo: bar\n" };
  rel1.remoteUnits = { "m/0": { pew: "pew\npew\n" }, "u/1": { value: "12345" } };
}

function at(relid: number, unit?: string, app?: string): Partial<ConformanceCase> {
  return { model: settings, env: relid >= 0 ? relationHook(relid, unit, app) : {} };
}

const get = (...args: string[]) => ["relation-get", ...args];
const pewYaml = "pew: |\n  pew\n  pew\n";

const main: ConformanceCase[] = [
  usage("no default relation", get(), "no relation id specified", at(-1)),
  usage(
    "explicit relation, not known",
    get("-r", "burble:123"),
    'invalid value "burble:123" for option -r: relation not found',
    at(-1),
  ),
  usage("default relation, no unit chosen", get(), "no unit or application specified", at(1)),
  usage(
    "explicit relation, no unit chosen",
    get("-r", "burble:1"),
    "no unit or application specified",
    at(-1),
  ),
  ok("missing key", get("ker-plunk"), "", at(1, "m/0")),
  {
    ...at(1, "bad/0"),
    name: "missing unit",
    argv: get(),
    code: 1,
    stderr: /^ERROR .*bad\/0.*\n$/,
    weaker:
      "Juju's test double says `unknown unit bad/0`; the emulator answers as a controller does (settings not found)",
  },
  ok("all keys with explicit non-member", get("-", "u/1"), 'value: "12345"\n', at(1)),
  ok("specific key with implicit member", get("pew"), "pew\npew\n\n", at(1, "m/0")),
  ok("specific key with explicit member", get("pew", "m/0"), "pew\npew\n\n", at(1)),
  ok("specific key with explicit non-member", get("value", "u/1"), "12345\n", at(1)),
  ok("specific key with explicit local", get("private-address", "u/0"), "foo: bar\n\n", at(0)),
  ok("all keys with implicit member", get(), pewYaml, at(1, "m/0")),
  ok("all keys with explicit member", get("-", "m/0"), pewYaml, at(1)),
  ok("all keys with explicit local", get("-", "u/0"), "private-address: |\n  foo: bar\n", at(0)),
  ok("explicit smart formatting 1", get("--format", "smart"), pewYaml, at(1, "m/0")),
  ok("explicit smart formatting 2", get("pew", "--format", "smart"), "pew\npew\n\n", at(1, "m/0")),
  ok("explicit smart formatting 3", get("value", "u/1", "--format", "smart"), "12345\n", at(1)),
  ok("explicit smart formatting 4", get("missing", "u/1", "--format", "smart"), "", at(1)),
];

const formats: ConformanceCase[] = [
  ok("yaml formatting 1", get("--format", "yaml"), pewYaml, at(1, "m/0")),
  {
    ...at(1, "m/0"),
    name: "yaml formatting 2",
    argv: get("pew", "--format", "yaml"),
    code: 0,
    parsed: { format: "yaml", value: "pew\npew\n" },
  },
  {
    ...at(1),
    name: "yaml formatting 3",
    argv: get("value", "u/1", "--format", "yaml"),
    code: 0,
    parsed: { format: "yaml", value: "12345" },
  },
  ok("yaml formatting 4", get("missing", "u/1", "--format", "yaml"), "", at(1)),
  ok("json formatting 1", get("--format", "json"), '{"pew":"pew\\npew\\n"}\n', at(1, "m/0")),
  ok("json formatting 2", get("pew", "--format", "json"), '"pew\\npew\\n"\n', at(1, "m/0")),
  ok("json formatting 3", get("value", "u/1", "--format", "json"), '"12345"\n', at(1)),
  ok("json formatting 4", get("missing", "u/1", "--format", "json"), "null\n", at(1)),
];

const init: ConformanceCase[] = [
  usage("init: no relation id", get(), "no relation id specified", at(-1)),
  usage(
    "init: invalid relation id",
    get("-r", "one"),
    'invalid value "one" for option -r: invalid relation id',
    at(-1),
  ),
  usage(
    "init: invalid id with context relation",
    get("-r", "one"),
    'invalid value "one" for option -r: invalid relation id',
    at(1),
  ),
  usage(
    "init: relation not found",
    get("-r", "2"),
    'invalid value "2" for option -r: relation not found',
    at(-1),
  ),
  ok(
    "init: -r overrides context relation",
    get("-r", "ignored:0"),
    "private-address: |\n  foo: bar\n",
    at(1, "u/0"),
  ),
  ok("init: key=value is a key", get("key=value"), "", at(1, "u/0")),
  ok("init: magic key with unit", get("-", "u/1"), 'value: "12345"\n', at(1, "u/0")),
  usage("init: --app without context app", get("--app"), "no unit or application specified", at(1)),
  usage(
    "init: extra arguments",
    get("-", "--app", "mysql", "args"),
    'unrecognized args: ["args"]',
    at(1, "u/0", "u"),
  ),
  usage(
    "init: application name with no --app",
    get("-", "mysql"),
    'expected unit name, got application name "mysql"',
    at(1, "u/0", "u"),
  ),
  usage("init: invalid unit name", get("-", "unit//0"), 'invalid unit name "unit//0"', at(1, "u/0", "u")),
];

export const relationGet: ToolTable = {
  tool: "relation-get",
  cases: [
    ...main,
    ...formats,
    ...init,
    help("help: no default relation", get(), ["Usage: relation-get [options] <key> <unit id>"], {
      ...at(-1),
      stdoutLacks: "Current default unit id",
    }),
    help("help: no default unit", get(), ["Usage: relation-get [options] <key> <unit id>", "peer1:1"], {
      ...at(1),
      stdoutLacks: "Current default unit id",
    }),
    help(
      "help: default unit",
      get(),
      ["Usage: relation-get [options] [<key> [<unit id>]]", "peer1:1", 'Current default unit id is "any/1".'],
      at(1, "any/1"),
    ),
    ok("--output", get("--output", "some-file", "pew"), "", {
      ...at(1, "m/0"),
      file: { path: "some-file", content: "pew\npew\n\n" },
    }),
  ],
  notExpressible: [
    {
      name: "init: key supplied / magic key / override unit / --app variants (8)",
      why: "Juju checks the parsed command's fields (RelationId, Key, UnitOrAppName); the ones whose target the fixture has are run above as calls, the rest (mysql, u as applications) name applications the fixture does not relate to",
    },
  ],
};
