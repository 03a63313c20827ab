import type { Model, NetworkBinding } from "../model";
import type { ConformanceCase, ToolTable } from "./case";
import { fails, ok, usage } from "./helpers";

// network-get_test.go, status-set_test.go, status-get_test.go, juju-log_test.go, ports_test.go, opened-ports_test.go.
const nic = (mac: string, name: string, ...pairs: [string, string][]) => ({
  macAddress: mac,
  interfaceName: name,
  addresses: pairs.map(([address, cidr]) => ({ address, cidr })),
});
const bindings: Record<string, NetworkBinding> = {
  "known-relation": {
    interfaces: [
      nic("00:11:22:33:44:00", "eth0", ["10.10.0.23", "10.10.0.0/24"], ["192.168.1.111", "192.168.1.0/24"]),
      nic("00:11:22:33:44:11", "eth1", ["10.10.1.23", "10.10.1.0/24"], ["192.168.2.111", "192.168.2.0/24"]),
    ],
  },
  "known-extra": {
    interfaces: [nic("00:11:22:33:44:22", "eth2", ["10.20.1.42", "10.20.1.42/24"], ["fc00::1", "fc00::/64"])],
  },
  "valid-no-config": { interfaces: [] },
  "known-unbound": { interfaces: [nic("00:11:22:33:44:33", "eth3", ["10.33.1.8", "10.33.1.8/24"])] },
  "ingress-egress": {
    interfaces: [nic("00:11:22:33:44:33", "eth3", ["10.33.1.8", "10.33.1.8/24"])],
    ingressAddresses: ["100.1.2.3", "100.4.3.2"],
    egressSubnets: ["192.168.1.0/8", "10.0.0.0/8"],
  },
};
const nets = {
  model: (m: Model) => {
    m.networks = structuredClone(bindings);
  },
};
const net = (...args: string[]) => ["network-get", ...args];
const addr = (a: string, cidr: string) =>
  `  - hostname: ""\n    value: ${a}\n    cidr: ${cidr}\n    address: ${a}\n`;
const nicYaml = (mac: string, name: string, ...addrs: string[]) =>
  `- mac-address: "${mac}"\n  interface-name: ${name}\n  addresses:\n${addrs.join("")}  macaddress: "${mac}"\n  interfacename: ${name}\n`;

export const networkGet: ToolTable = {
  tool: "network-get",
  cases: [
    usage("no arguments", net(), "no arguments specified", nets),
    usage("empty binding name", net(""), "no binding name specified", nets),
    fails("unknown binding", net("unknown"), 'no network config found for binding "unknown"', nets),
    fails(
      "unknown binding with flag",
      net("unknown", "--ingress-address"),
      'no network config found for binding "unknown"',
      nets,
    ),
    fails(
      "no config, with flag",
      net("valid-no-config", "--ingress-address"),
      'no network config found for binding "valid-no-config"',
      nets,
    ),
    fails("no config", net("valid-no-config"), 'no network config found for binding "valid-no-config"', nets),
    ok("extra binding, one flag", net("known-extra", "--ingress-address"), "10.20.1.42\n", nets),
    ok(
      "extra binding, two flags",
      net("known-extra", "--ingress-address", "--bind-address"),
      "bind-address: 10.20.1.42\ningress-address: 10.20.1.42\n",
      nets,
    ),
    ok(
      "extra binding, everything",
      net("known-extra"),
      `bind-addresses:\n${nicYaml("00:11:22:33:44:22", "eth2", addr("10.20.1.42", "10.20.1.42/24"), addr("fc00::1", "fc00::/64"))}`,
      nets,
    ),
    ok("relation binding, one flag", net("known-relation", "--ingress-address"), "10.10.0.23\n", nets),
    ok(
      "relation binding, everything",
      net("known-relation"),
      `bind-addresses:\n${nicYaml("00:11:22:33:44:00", "eth0", addr("10.10.0.23", "10.10.0.0/24"), addr("192.168.1.111", "192.168.1.0/24"))}${nicYaml("00:11:22:33:44:11", "eth1", addr("10.10.1.23", "10.10.1.0/24"), addr("192.168.2.111", "192.168.2.0/24"))}`,
      nets,
    ),
    ok("unbound, ingress", net("known-unbound", "--ingress-address"), "10.33.1.8\n", nets),
    ok(
      "unbound, everything",
      net("known-unbound"),
      `bind-addresses:\n${nicYaml("00:11:22:33:44:33", "eth3", addr("10.33.1.8", "10.33.1.8/24"))}`,
      nets,
    ),
    ok(
      "ingress and egress, three flags",
      net("ingress-egress", "--ingress-address", "--bind-address", "--egress-subnets"),
      "bind-address: 10.33.1.8\negress-subnets:\n- 192.168.1.0/8\n- 10.0.0.0/8\ningress-address: 100.1.2.3\n",
      nets,
    ),
    ok(
      "ingress and egress, everything",
      net("ingress-egress"),
      `bind-addresses:\n${nicYaml("00:11:22:33:44:33", "eth3", addr("10.33.1.8", "10.33.1.8/24"))}egress-subnets:\n- 192.168.1.0/8\n- 10.0.0.0/8\ningress-addresses:\n- 100.1.2.3\n- 100.4.3.2\n`,
      nets,
    ),
  ],
  notExpressible: [],
};

const statusOf = (m: Model) => m.unitStatus;
const expectStatus = (target: "unit" | "app", status: string, message: string) => (m: Model) => {
  const got = target === "unit" ? statusOf(m) : m.appStatus;
  if (got.status !== status || got.message !== message) throw new Error(`status ${JSON.stringify(got)}`);
};

export const statusSet: ToolTable = {
  tool: "status-set",
  cases: [
    ok("status only", ["status-set", "maintenance"], ""),
    ok("empty message", ["status-set", "maintenance", ""], ""),
    ok("message", ["status-set", "maintenance", "hello"], ""),
    usage("no args", ["status-set"], "invalid args, require <status> [message]"),
    usage("extra arg", ["status-set", "maintenance", "hello", "extra"], 'unrecognized args: ["extra"]'),
    usage(
      "bad status",
      ["status-set", "foo", "hello"],
      'invalid status "foo", expected one of [maintenance blocked waiting active]',
    ),
    ok("unit maintenance", ["status-set", "maintenance", "doing some work"], "", {
      after: expectStatus("unit", "maintenance", "doing some work"),
    }),
    ok("unit active", ["status-set", "active", ""], "", { after: expectStatus("unit", "active", "") }),
    ok("app maintenance", ["status-set", "--application", "maintenance", "doing some work"], "", {
      after: expectStatus("app", "maintenance", "doing some work"),
    }),
    ok("app active", ["status-set", "--application", "active", ""], "", {
      after: expectStatus("app", "active", ""),
    }),
  ],
  notExpressible: [],
};

const fakeStatus = (m: Model) => {
  m.unitStatus = { status: "error", message: "doing work", data: { foo: "bar" } };
};
const attributes = { message: "doing work", status: "error", "status-data": { foo: "bar" } };

export const statusGet: ToolTable = {
  tool: "status-get",
  cases: [
    {
      name: "json with data",
      argv: ["status-get", "--format", "json", "--include-data"],
      code: 0,
      model: fakeStatus,
      parsed: { format: "json", value: attributes },
    },
    {
      name: "yaml",
      argv: ["status-get", "--format", "yaml"],
      code: 0,
      model: fakeStatus,
      parsed: { format: "yaml", value: { status: "error" } },
    },
    ok("--output", ["status-get", "--format", "json", "--output", "some-file", "--include-data"], "", {
      model: fakeStatus,
      file: {
        path: "some-file",
        content: `${JSON.stringify({ message: "doing work", status: "error", "status-data": { foo: "bar" } })}\n`,
      },
    }),
  ],
  notExpressible: [
    {
      name: "TestApplicationStatus",
      why: 'Juju\'s double lists the unit under the name ""; the emulator lists it under its unit name',
    },
  ],
};

export const jujuLog: ToolTable = {
  tool: "juju-log",
  cases: [
    usage("requires message", ["juju-log"], "no message specified"),
    usage("-l needs an argument", ["juju-log", "-l"], "option needs an argument: -l"),
    usage(
      "--log-level needs an argument",
      ["juju-log", "--log-level"],
      "option needs an argument: --log-level",
    ),
    usage("-l FATAL, no message", ["juju-log", "-l", "FATAL"], "no message specified"),
    usage("--log-level FATAL, no message", ["juju-log", "--log-level", "FATAL"], "no message specified"),
    {
      ...ok("deprecated --format", ["juju-log", "--format", "foo", "msg"], ""),
      stderr: '--format flag deprecated for command "juju-log"',
    },
    ok("logs", ["juju-log", "foo", "msg"], "", {
      after: (m) => {
        if (m.logs.at(-1)?.message !== "foo msg") throw new Error("not logged");
      },
    }),
  ],
  notExpressible: [
    { name: "TestRunWithError* (3)", why: "failures of the hook-relation lookup in Juju's mock context" },
  ],
};

const portSteps: [string[], string][] = [
  [["open-port", "80"], "80/tcp"],
  [["open-port", "99/tcp"], "80/tcp\n99/tcp"],
  [["open-port", "100-200"], "80/tcp\n99/tcp\n100-200/tcp"],
  [["open-port", "443/udp"], "80/tcp\n99/tcp\n100-200/tcp\n443/udp"],
  [["close-port", "80/TCP"], "99/tcp\n100-200/tcp\n443/udp"],
  [["close-port", "100-200/tcP"], "99/tcp\n443/udp"],
  [["close-port", "443"], "99/tcp\n443/udp"],
  [["close-port", "443/udp"], "99/tcp"],
  [["open-port", "123/udp"], "99/tcp\n123/udp"],
  [["close-port", "9999/UDP"], "99/tcp\n123/udp"],
  [["open-port", "icmp"], "icmp\n99/tcp\n123/udp"],
];

/** Juju runs the port commands in sequence on one context: each case replays the steps before it. */
function portCases(tool: "open-port" | "close-port"): ConformanceCase[] {
  return portSteps.flatMap(([argv], index) => {
    if (argv[0] !== tool) return [];
    const opened = portSteps[index]?.[1] ?? "";
    return [
      ok(`step ${index}: ${argv.join(" ")}`, argv, "", {
        before: portSteps.slice(0, index).map(([a]) => a),
        after: (m) => {
          const sorted = [...m.ports].sort().join(",");
          const want = opened.split("\n").sort().join(",");
          if (sorted !== want) throw new Error(`ports ${sorted}, want ${want}`);
        },
      }),
    ];
  });
}

export const openPort: ToolTable = {
  tool: "open-port",
  cases: [
    ...portCases("open-port"),
    {
      ...ok("deprecated --format", ["open-port", "--format", "foo", "80"], ""),
      stderr: '--format flag deprecated for command "open-port"',
    },
  ],
  notExpressible: [
    {
      name: "open-port --endpoints foo,bar 1337/tcp",
      why: "the emulator keeps one port list per unit, not per endpoint",
    },
  ],
};

export const closePort: ToolTable = {
  tool: "close-port",
  cases: [
    ...portCases("close-port"),
    {
      ...ok("deprecated --format", ["close-port", "--format", "foo", "80/TCP"], ""),
      stderr: '--format flag deprecated for command "close-port"',
    },
  ],
  notExpressible: [
    {
      name: "close-port --endpoints foo 1337/tcp",
      why: "the emulator keeps one port list per unit, not per endpoint",
    },
  ],
};

const opened = ["10-20/tcp", "80/tcp", "53-55/udp", "63/udp"];
const withPorts = {
  model: (m: Model) => {
    m.ports = ["80/tcp", "10-20/tcp", "63/udp", "53-55/udp"];
  },
};

export const openedPorts: ToolTable = {
  tool: "opened-ports",
  cases: [
    ok("default", ["opened-ports"], `${opened.join("\n")}\n`, withPorts),
    ok("smart", ["opened-ports", "--format", "smart"], `${opened.join("\n")}\n`, withPorts),
    ok("json", ["opened-ports", "--format", "json"], `${JSON.stringify(opened)}\n`, withPorts),
    ok("yaml", ["opened-ports", "--format", "yaml"], `- ${opened.join("\n- ")}\n`, withPorts),
    usage("bad args", ["opened-ports", "foo"], 'unrecognized args: ["foo"]'),
  ],
  notExpressible: [
    {
      name: "TestRunAllFormatsWithEndpointDetails (4 formats)",
      why: "per-endpoint ports (`80/tcp (*)`): the emulator keeps one port list per unit",
    },
  ],
};
