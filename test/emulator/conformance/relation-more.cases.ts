import type { Model } from "../model";
import type { ConformanceCase, ToolTable } from "./case";
import { relationHook } from "./fixture";
import { fails, help, ok, usage } from "./helpers";

// relation-set_test.go, relation-ids_test.go, relation-list_test.go.
const at = (relid: number): Partial<ConformanceCase> => ({ env: relid >= 0 ? relationHook(relid) : {} });
const unitData = (id: number) => (m: Model) => m.relations[id]?.localUnitData;
function expectData(id: number, want: Record<string, string>) {
  return (m: Model) => {
    const got = JSON.stringify(unitData(id)(m));
    if (got !== JSON.stringify(want))
      throw new Error(`relation ${id} settings ${got}, want ${JSON.stringify(want)}`);
  };
}
const base = { "private-address": "u-0.testing.invalid" };
const set = (...args: string[]) => ["relation-set", ...args];
const withFile = (
  content: string,
  want: Record<string, string>,
  extra: string[] = [],
): Partial<ConformanceCase> => ({
  ...at(1),
  files: { spam: content },
  after: expectData(1, { ...base, ...want }),
  argv: set("--file", "spam", ...extra),
});
const fileCase = (name: string, content: string, want: Record<string, string>, extra: string[] = []) =>
  ({ name, code: 0, ...withFile(content, want, extra) }) as ConformanceCase;
const yamlError = (name: string, content: string, message: string) =>
  ({ ...fails(name, set("--file", "spam"), message), ...at(1), files: { spam: content } }) as ConformanceCase;

export const relationSet: ToolTable = {
  tool: "relation-set",
  cases: [
    ok("no args is valid", set(), "", at(0)),
    usage("no relation id", set(), "no relation id specified", at(-1)),
    usage("invalid id", set("-r", "one"), 'invalid value "one" for option -r: invalid relation id', at(-1)),
    usage(
      "invalid id with context",
      set("-r", "one"),
      'invalid value "one" for option -r: invalid relation id',
      at(1),
    ),
    usage(
      "invalid prefixed id",
      set("-r", "ignored:one"),
      'invalid value "ignored:one" for option -r: invalid relation id',
      at(-1),
    ),
    usage(
      "invalid prefixed id with context",
      set("-r", "ignored:one"),
      'invalid value "ignored:one" for option -r: invalid relation id',
      at(1),
    ),
    usage(
      "relation not found",
      set("-r", "2"),
      'invalid value "2" for option -r: relation not found',
      at(-1),
    ),
    usage(
      "prefixed not found",
      set("-r", "ignored:2"),
      'invalid value "ignored:2" for option -r: relation not found',
      at(1),
    ),
    ok("-r ignored:0", set("-r", "ignored:0", "k=v"), "", {
      ...at(1),
      after: expectData(0, { ...base, k: "v" }),
    }),
    ok("-r 0", set("-r", "0", "k=v"), "", { ...at(1), after: expectData(0, { ...base, k: "v" }) }),
    ok("-r 1 outside a relation", set("-r", "1", "k=v"), "", {
      ...at(-1),
      after: expectData(1, { ...base, k: "v" }),
    }),
    ok("-r 1 from relation 0", set("-r", "1", "k=v"), "", {
      ...at(0),
      after: expectData(1, { ...base, k: "v" }),
    }),
    usage("bare word", set("haha"), 'expected "key=value", got "haha"', at(1)),
    usage("no key", set("=haha"), 'expected "key=value", got "=haha"', at(1)),
    ok("empty value", set("foo="), "", { ...at(1), after: expectData(1, base) }),
    ok("quote", set("foo='"), "", { ...at(1), after: expectData(1, { ...base, foo: "'" }) }),
    ok("plain", set("foo=bar"), "", { ...at(1), after: expectData(1, { ...base, foo: "bar" }) }),
    ok("equals in value", set("foo=bar=baz=qux"), "", {
      ...at(1),
      after: expectData(1, { ...base, foo: "bar=baz=qux" }),
    }),
    ok("colon in value", set("foo=foo: bar"), "", {
      ...at(1),
      after: expectData(1, { ...base, foo: "foo: bar" }),
    }),
    ok("several", set("foo=123", "bar=true", "baz=4.5", "qux="), "", {
      ...at(1),
      after: expectData(1, { ...base, foo: "123", bar: "true", baz: "4.5" }),
    }),
    fileCase("file with a valid setting", "{foo: bar}", { foo: "bar" }),
    fileCase("file with multiple settings on a line", "{foo: bar, spam: eggs}", { foo: "bar", spam: "eggs" }),
    fileCase("file with multiple lines", "{\n  foo: bar,\n  spam: eggs\n}", { foo: "bar", spam: "eggs" }),
    fileCase("an empty file", "", {}),
    fileCase("an empty map", "{}", {}),
    yamlError(
      "command-line format in a file",
      "foo=bar ham=eggs good=bad",
      "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!str `foo=bar...` into map[string]string",
    ),
    yamlError(
      "scalar instead of map",
      "haha",
      "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!str `haha` into map[string]string",
    ),
    yamlError(
      "sequence instead of map",
      "[haha]",
      "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!seq into map[string]string",
    ),
    fileCase("multiple maps", "{a: b}\n{c: d}", { a: "b" }),
    fileCase("value with a space", "{foo: 'bar baz'}", { foo: "bar baz" }),
    fileCase("value with an equal sign", "{foo: foo=bar, base64: YmFzZTY0IGV4YW1wbGU=}", {
      foo: "foo=bar",
      base64: "YmFzZTY0IGV4YW1wbGU=",
    }),
    fileCase("values with brackets", "{foo: '[x]', bar: '{y}'}", { foo: "[x]", bar: "{y}" }),
    fileCase(
      "a messy file",
      "\n {  \n # a comment \n\n  \nfoo: bar,  \nham: eggs,\n\n  good: bad,\nup: down, left: right\n}\n",
      {
        foo: "bar",
        ham: "eggs",
        good: "bad",
        up: "down",
        left: "right",
      },
    ),
    fileCase("file + settings", "{ham: eggs}", { ham: "eggs", foo: "bar" }, ["foo=bar"]),
    fileCase("file overridden by settings", "{foo: baz}", { foo: "bar" }, ["foo=bar"]),
    ok("read from stdin", set("--file", "-"), "", {
      ...at(1),
      stdin: "{foo: bar}",
      after: expectData(1, { ...base, foo: "bar" }),
    }),
    ok("pass --app", set("--app", "baz=qux"), "", {
      ...at(1),
      after: (m) => {
        if (m.relations[1]?.localAppData.baz !== "qux") throw new Error("app bag not written");
      },
    }),
    ok("run: delete", set("-r", "1", "base="), "", {
      ...at(0),
      model: (m) => {
        (m.relations[1] as { localUnitData: object }).localUnitData = { base: "value" };
      },
      after: expectData(1, {}),
    }),
    ok("run: add", set("-r", "1", "foo=bar"), "", {
      ...at(0),
      model: (m) => {
        (m.relations[1] as { localUnitData: object }).localUnitData = { base: "value" };
      },
      after: expectData(1, { base: "value", foo: "bar" }),
    }),
    ok("run: change", set("-r", "1", "base=changed"), "", {
      ...at(0),
      model: (m) => {
        (m.relations[1] as { localUnitData: object }).localUnitData = { base: "value" };
      },
      after: expectData(1, { base: "changed" }),
    }),
    {
      ...ok("deprecated --format", set("--format", "foo", "rel="), ""),
      ...at(0),
      stderr: '--format flag deprecated for command "relation-set"',
    },
    help("help outside a relation", set(), ["Usage: relation-set"], at(-1)),
    help("help in peer0:0", set(), ["peer0:0"], at(0)),
  ],
  notExpressible: [],
};

// relation-ids: relations x:0, x:1, x:2 and y:3.
function xy(model: Model): void {
  const make = (id: number, name: string) => ({
    id,
    name,
    interface: name,
    remoteApp: "",
    localUnitData: {},
    localAppData: {},
    remoteUnits: {},
    remoteAppData: {},
  });
  model.relations = [make(0, "x"), make(1, "x"), make(2, "x"), make(3, "y")];
}
const inX = { JUJU_RELATION: "x", JUJU_RELATION_ID: "x:1" };
const ids = (...args: string[]) => ["relation-ids", ...args];

export const relationIds: ToolTable = {
  tool: "relation-ids",
  cases: [
    usage("no default, no name", ids(), "no endpoint name specified", { model: xy }),
    ok("default name", ids(), "x:0\nx:1\nx:2\n", { model: xy, env: inX }),
    ok("explicit name", ids("x"), "x:0\nx:1\nx:2\n", { model: xy }),
    ok("explicit different name", ids("y"), "y:3\n", { model: xy }),
    ok("nonexistent name", ids("z"), "", { model: xy }),
    ok("smart 1", ids("--format", "smart", "x"), "x:0\nx:1\nx:2\n", { model: xy }),
    ok("smart 2", ids("--format", "smart", "y"), "y:3\n", { model: xy }),
    ok("smart 3", ids("--format", "smart", "z"), "", { model: xy }),
    ok("json 1", ids("--format", "json", "x"), '["x:0","x:1","x:2"]\n', { model: xy }),
    ok("json 2", ids("--format", "json", "y"), '["y:3"]\n', { model: xy }),
    ok("json 3", ids("--format", "json", "z"), "[]\n", { model: xy }),
    ok("yaml 1", ids("--format", "yaml", "x"), "- x:0\n- x:1\n- x:2\n", { model: xy }),
    ok("yaml 2", ids("--format", "yaml", "y"), "- y:3\n", { model: xy }),
    ok("yaml 3", ids("--format", "yaml", "z"), "[]\n", { model: xy }),
    help(
      "help, no relation",
      ids(),
      ["relation-ids [options] <name>", "Only relation ids for relations which are not broken are included."],
      { model: xy },
    ),
    help("help in x:0", ids(), ["relation-ids [options] [<name>]", 'Current default endpoint name is "x".'], {
      model: xy,
      env: { JUJU_RELATION: "x", JUJU_RELATION_ID: "x:0" },
    }),
    help("help in y:3", ids(), ["relation-ids [options] [<name>]", 'Current default endpoint name is "y".'], {
      model: xy,
      env: { JUJU_RELATION: "y", JUJU_RELATION_ID: "y:3" },
    }),
  ],
  notExpressible: [
    {
      name: "TestFilterNonLiveRelations",
      why: "relation life (dying/dead): the emulator removes a relation at -broken and has no dying state",
    },
  ],
};

function members(id: number, names: string[], remoteApp?: string) {
  return (m: Model) => {
    const relation = m.relations[id];
    if (!relation) return;
    relation.remoteUnits = Object.fromEntries(names.map((n) => [n, {}]));
    if (remoteApp) relation.remoteApp = remoteApp;
  };
}
const list = (...args: string[]) => ["relation-list", ...args];
const fbb = members(1, ["foo", "bar", "baz"]);

export const relationList: ToolTable = {
  tool: "relation-list",
  cases: [
    usage("no default relation, no arg", list(), "no relation id specified", at(-1)),
    usage(
      "no default relation, bad arg",
      list("-r", "bad"),
      'invalid value "bad" for option -r: invalid relation id',
      at(-1),
    ),
    usage(
      "no default relation, unknown arg",
      list("-r", "unknown:123"),
      'invalid value "unknown:123" for option -r: relation not found',
      at(-1),
    ),
    usage(
      "default relation, bad arg",
      list("-r", "bad"),
      'invalid value "bad" for option -r: invalid relation id',
      at(1),
    ),
    usage(
      "default relation, unknown arg",
      list("-r", "unknown:123"),
      'invalid value "unknown:123" for option -r: relation not found',
      at(1),
    ),
    ok("default relation, no members", list(), "", at(1)),
    ok("default relation, members", list(), "bar\nbaz\nfoo\n", { ...at(1), model: fbb }),
    ok("alternative relation, members", list("-r", "ignored:0"), "paw\npew\npow\n", {
      ...at(1),
      model: members(0, ["pew", "pow", "paw"]),
    }),
    ok("smart 1", list("--format", "smart"), "", at(1)),
    ok("smart 2", list("--format", "smart"), "bar\nbaz\nfoo\n", { ...at(1), model: fbb }),
    ok("json 1", list("--format", "json"), "[]\n", at(1)),
    ok("json 2", list("--format", "json"), '["bar","baz","foo"]\n', { ...at(1), model: fbb }),
    ok("yaml 1", list("--format", "yaml"), "[]\n", at(1)),
    ok("yaml 2", list("--format", "yaml"), "- bar\n- baz\n- foo\n", { ...at(1), model: fbb }),
    ok("remote application", list("--app"), "galaxy\n", { ...at(1), model: members(1, [], "galaxy") }),
    help("help outside a relation", list(), ["-r must be specified when not in a relation hook"], at(-1)),
    help("help in peer0:0", list(), ["peer0:0"], at(0)),
  ],
  notExpressible: [],
};
