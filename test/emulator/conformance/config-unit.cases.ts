import type { ToolTable } from "./case";
import { ok, usage } from "./helpers";

// config-get_test.go, unit-get_test.go, is-leader_test.go, resource-get_test.go, application-version-set_test.go.
const yamlMap = "monsters: false\nspline-reticulation: 45\ntitle: My Title\nusername: admin001\n";
const jsonMap = '{"monsters":false,"spline-reticulation":45,"title":"My Title","username":"admin001"}\n';
const yamlAll = `empty: null\n${yamlMap}`;
const jsonAll =
  '{"empty":null,"monsters":false,"spline-reticulation":45,"title":"My Title","username":"admin001"}\n';

export const configGet: ToolTable = {
  tool: "config-get",
  cases: [
    ok("key smart", ["config-get", "monsters"], "False\n"),
    ok("key yaml", ["config-get", "--format", "yaml", "monsters"], "false\n"),
    ok("key json", ["config-get", "--format", "json", "monsters"], "false\n"),
    ok("number smart", ["config-get", "spline-reticulation"], "45\n"),
    ok("number yaml", ["config-get", "--format", "yaml", "spline-reticulation"], "45\n"),
    ok("number json", ["config-get", "--format", "json", "spline-reticulation"], "45\n"),
    ok("missing smart", ["config-get", "missing"], ""),
    ok("missing yaml", ["config-get", "--format", "yaml", "missing"], ""),
    ok("missing json", ["config-get", "--format", "json", "missing"], "null\n"),
    ok("all default", ["config-get"], yamlMap),
    ok("all yaml", ["config-get", "--format", "yaml"], yamlMap),
    ok("all json", ["config-get", "--format", "json"], jsonMap),
    ok("--all yaml", ["config-get", "--all", "--format", "yaml"], yamlAll),
    ok("--all json", ["config-get", "--all", "--format", "json"], jsonAll),
    ok("-a yaml", ["config-get", "-a", "--format", "yaml"], yamlAll),
    ok("-a json", ["config-get", "-a", "--format", "json"], jsonAll),
    ok("--output", ["config-get", "--output", "some-file", "monsters"], "", {
      file: { path: "some-file", content: "False\n" },
    }),
    usage("unknown arg", ["config-get", "multiple", "keys"], 'unrecognized args: ["keys"]'),
    usage(
      "--all with key",
      ["config-get", "--all", "--format", "json", "monsters"],
      'cannot use argument --all together with key "monsters"',
    ),
  ],
  notExpressible: [],
};

export const unitGet: ToolTable = {
  tool: "unit-get",
  cases: [
    ok("private smart", ["unit-get", "private-address"], "192.168.0.99\n"),
    ok("private yaml", ["unit-get", "private-address", "--format", "yaml"], "192.168.0.99\n"),
    ok("private json", ["unit-get", "private-address", "--format", "json"], '"192.168.0.99"\n'),
    ok("public smart", ["unit-get", "public-address"], "gimli.minecraft.testing.invalid\n"),
    ok(
      "public yaml",
      ["unit-get", "public-address", "--format", "yaml"],
      "gimli.minecraft.testing.invalid\n",
    ),
    ok(
      "public json",
      ["unit-get", "public-address", "--format", "json"],
      '"gimli.minecraft.testing.invalid"\n',
    ),
    ok("--output", ["unit-get", "--output", "some-file", "private-address"], "", {
      file: { path: "some-file", content: "192.168.0.99\n" },
    }),
    usage("unknown setting", ["unit-get", "protected-address"], 'unknown setting "protected-address"'),
    usage("unknown arg", ["unit-get", "private-address", "blah"], 'unrecognized args: ["blah"]'),
  ],
  notExpressible: [
    {
      name: "TestNetworkInfoPrivateAddress (6 variants)",
      why: "private-address from the default binding's network info: the emulator's unit-get answers the model's privateAddress, not network-get's default binding",
    },
  ],
};

const leaderModel = (leader: boolean) => ({
  model: (m: { leader: boolean }) => {
    m.leader = leader;
  },
});

export const isLeader: ToolTable = {
  tool: "is-leader",
  cases: [
    usage("init error", ["is-leader", "blah"], 'unrecognized args: ["blah"]'),
    ok("init success", ["is-leader"], "True\n"),
    usage(
      "format error",
      ["is-leader", "--format", "bad"],
      'invalid value "bad" for option --format: unknown format "bad"',
    ),
    ok("default yes", ["is-leader"], "True\n", leaderModel(true)),
    ok("default no", ["is-leader"], "False\n", leaderModel(false)),
    ok("smart yes", ["is-leader", "--format", "smart"], "True\n", leaderModel(true)),
    ok("smart no", ["is-leader", "--format", "smart"], "False\n", leaderModel(false)),
    ok("yaml yes", ["is-leader", "--format", "yaml"], "true\n", leaderModel(true)),
    ok("yaml no", ["is-leader", "--format", "yaml"], "false\n", leaderModel(false)),
    ok("json yes", ["is-leader", "--format", "json"], "true\n", leaderModel(true)),
    ok("json no", ["is-leader", "--format", "json"], "false\n", leaderModel(false)),
  ],
  notExpressible: [
    {
      name: "TestIsLeaderError",
      why: "a leadership-tracker failure (pow): the emulator's leadership cannot fail",
    },
  ],
};

const path = "/var/lib/juju/agents/unit-foo-1/resources/spam/a-file.tgz";

export const resourceGet: ToolTable = {
  tool: "resource-get",
  cases: [
    {
      ...usage("no args", ["resource-get"], "missing resource name"),
      weaker: "Juju's test only checks that Init fails",
    },
    {
      ...usage("too many args", ["resource-get", "spam", "eggs"], 'unrecognized args: ["eggs"]'),
      weaker: "Juju's test only checks that Init fails",
    },
    ok("run", ["resource-get", "spam"], path, {
      model: (m) => {
        m.resources = { spam: path };
      },
    }),
    {
      name: "download failure",
      argv: ["resource-get", "spam"],
      code: 1,
      stderr: /^ERROR could not download resource: .*\n$/,
      weaker:
        "the failure text after the prefix is Juju's test double's (<failure>); the emulator's is a missing resource",
    },
  ],
  notExpressible: [],
};

export const applicationVersionSet: ToolTable = {
  tool: "application-version-set",
  cases: [
    usage("no arguments", ["application-version-set"], "no version specified", {
      after: (m) => expectVersion(m.applicationVersion, ""),
    }),
    ok("with arguments", ["application-version-set", "dia de los muertos"], "", {
      after: (m) => expectVersion(m.applicationVersion, "dia de los muertos"),
    }),
  ],
  notExpressible: [
    {
      name: "TestApplicationVersionSetError",
      why: "an API failure (uh oh spaghettio): the emulator's model cannot fail a write",
    },
  ],
};

function expectVersion(got: string, want: string): void {
  if (got !== want)
    throw new Error(`application version ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}
