import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { actionFail, actionGet, actionSet } from "../../src/juju/action";
import { RelationNotFoundError, UnexpectedOutputError } from "../../src/juju/errors";
import { HookToolError } from "../../src/juju/hook-tool";
import { relationGet, relationIds, relationList, relationSet } from "../../src/juju/relation";
import {
  applicationVersionSet,
  jujuLog,
  MAX_STATUS_MESSAGE,
  redactPem,
  safeStatusMessage,
  statusSet,
} from "../../src/juju/status";
import {
  closePort,
  configGet,
  isLeader,
  networkGet,
  openPort,
  resourceGet,
  unitGet,
} from "../../src/juju/unit";
import { FakeTools } from "./fake-tools";

let tools: FakeTools;
beforeEach(async () => {
  tools = await FakeTools.create();
});
afterEach(async () => {
  await tools.dispose();
});

describe("relation tools", () => {
  it("relation-ids asks for JSON and returns the ids", async () => {
    await tools.add("relation-ids", { stdout: '["etcd:3","etcd:7"]\n' });
    expect(await relationIds("etcd")).toEqual(["etcd:3", "etcd:7"]);
    expect(await tools.calls()).toEqual([["relation-ids", "--format=json", "etcd"]]);
  });

  it("relation-list passes the relation id", async () => {
    await tools.add("relation-list", { stdout: '["etcd/0","etcd/1"]\n' });
    expect(await relationList("etcd:3")).toEqual(["etcd/0", "etcd/1"]);
    expect(await tools.calls()).toEqual([["relation-list", "--format=json", "-r", "etcd:3"]]);
  });

  it("relation-get returns every key of the unit", async () => {
    await tools.add("relation-get", { stdout: '{"hostname":"10.0.0.5","port":"4001"}\n' });
    expect(await relationGet("etcd:3", "etcd/0")).toEqual({ hostname: "10.0.0.5", port: "4001" });
    expect(await tools.calls()).toEqual([["relation-get", "--format=json", "-r", "etcd:3", "-", "etcd/0"]]);
  });

  it("relation-get treats null as no data and rejects non-string values", async () => {
    await tools.add("relation-get", { stdout: "null\n" });
    expect(await relationGet("etcd:3", "etcd/0")).toEqual({});
    await tools.add("relation-get", { stdout: '{"port":4001}\n' });
    await expect(relationGet("etcd:3", "etcd/0")).rejects.toBeInstanceOf(UnexpectedOutputError);
  });

  it("a vanished relation becomes RelationNotFoundError keeping the HookToolError as cause", async () => {
    await tools.add("relation-list", {
      stderr: 'ERROR invalid value "etcd:9" for option -r: relation not found\n',
      exitCode: 2,
    });
    const error = await relationList("etcd:9").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelationNotFoundError);
    const cause = (error as Error).cause as HookToolError;
    expect(cause).toBeInstanceOf(HookToolError);
    expect(cause.exitCode).toBe(2);
    expect(cause.command).toEqual(["relation-list", "--format=json", "-r", "etcd:9"]);
  });

  it("relation-set passes key=value pairs, values may hold newlines and '='", async () => {
    await tools.add("relation-set");
    await relationSet("etcd:3", { a: "x=y", pem: "line1\nline2", gone: "" });
    expect(await tools.calls()).toEqual([
      ["relation-set", "-r", "etcd:3", "a=x=y", "pem=line1\nline2", "gone="],
    ]);
  });

  it("relation-set rejects a key with '='", async () => {
    await tools.add("relation-set");
    await expect(relationSet("etcd:3", { "a=b": "c" })).rejects.toThrow(/relation-set key "a=b"/);
    expect(await tools.calls()).toEqual([]);
  });
});

describe("status and log tools", () => {
  it("status-set puts '--' before the state so a message may start with a hyphen", async () => {
    await tools.add("status-set");
    await statusSet("blocked", "-x: bad");
    expect(await tools.calls()).toEqual([["status-set", "--", "blocked", "-x: bad"]]);
  });

  it("juju-log passes the level and the message after '--', with PEM redacted", async () => {
    await tools.add("juju-log");
    await jujuLog("WARNING", "--not a flag");
    await jujuLog("INFO", "ca: -----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE----- done");
    expect(await tools.calls()).toEqual([
      ["juju-log", "--log-level", "WARNING", "--", "--not a flag"],
      ["juju-log", "--log-level", "INFO", "--", "ca: [PEM redacted] done"],
    ]);
  });

  it("defect 10: status-set caps a huge message (a whole etcd value) to a bounded length", async () => {
    await tools.add("status-set");
    const huge = `etcd already holds {"Network":"${"x".repeat(300 * 1024)}"} at /p/config`;
    await statusSet("blocked", huge);
    const [[, , , message]] = (await tools.calls()) as string[][];
    expect(message.length).toBeLessThanOrEqual(MAX_STATUS_MESSAGE);
    expect(MAX_STATUS_MESSAGE).toBeLessThanOrEqual(1024);
    expect(message).toMatch(/^etcd already holds \{"Network":"x+…$/);
    expect(safeStatusMessage(huge)).toBe(message);
  });

  it("defect 4: status-set and juju-log hide user info in any URL", async () => {
    await tools.add("status-set");
    await tools.add("juju-log");
    await statusSet("waiting", "etcd at http://10.0.0.4:1,https://root:s3c@ret@10.0.0.5:2379 is down");
    await jujuLog("ERROR", "dial https://root:s3/cret@10.0.0.5:2379 failed");
    expect(await tools.calls()).toEqual([
      ["status-set", "--", "waiting", "etcd at http://***@10.0.0.5:2379 is down"],
      ["juju-log", "--log-level", "ERROR", "--", "dial https://***@10.0.0.5:2379 failed"],
    ]);
  });

  it("redactPem also hides a truncated block", () => {
    expect(redactPem("key -----BEGIN PRIVATE KEY-----\nabc")).toBe("key [PEM redacted]");
  });

  it("application-version-set passes the version", async () => {
    await tools.add("application-version-set");
    await applicationVersionSet("v0.28.9");
    expect(await tools.calls()).toEqual([["application-version-set", "--", "v0.28.9"]]);
  });

  it("a failing tool throws HookToolError with command, exit code, stdout and stderr", async () => {
    await tools.add("status-set", { stdout: "out", stderr: "ERROR boom\n", exitCode: 1 });
    const error = (await statusSet("active", "ok").catch((e: unknown) => e)) as HookToolError;
    expect(error).toBeInstanceOf(HookToolError);
    expect(error.command).toEqual(["status-set", "--", "active", "ok"]);
    expect(error.exitCode).toBe(1);
    expect(error.stdout).toBe("out");
    expect(error.stderr).toBe("ERROR boom\n");
    expect(error.message).toBe("status-set failed (exit code 1): ERROR boom");
  });

  it("a missing tool throws HookToolError with the spawn error as cause", async () => {
    const error = (await HookToolErrorOf(() => statusSet("active", "ok"))) as HookToolError;
    expect(error).toBeInstanceOf(HookToolError);
    expect(error.cause).toBeDefined();
  });
});

async function HookToolErrorOf(call: () => Promise<unknown>) {
  const saved = process.env.PATH;
  process.env.PATH = tools.dir;
  try {
    return await call().catch((e: unknown) => e);
  } finally {
    process.env.PATH = saved;
  }
}

describe("unit tools", () => {
  it("config-get returns the options map", async () => {
    await tools.add("config-get", { stdout: '{"network":"10.10.0.0/16","subnet-len":24,"ip-masq":true}\n' });
    expect(await configGet()).toEqual({ network: "10.10.0.0/16", "subnet-len": 24, "ip-masq": true });
    expect(await tools.calls()).toEqual([["config-get", "--format=json"]]);
  });

  it("unit-get returns the address", async () => {
    await tools.add("unit-get", { stdout: '"10.0.0.7"\n' });
    expect(await unitGet("private-address")).toBe("10.0.0.7");
    expect(await tools.calls()).toEqual([["unit-get", "--format=json", "private-address"]]);
  });

  it("is-leader parses true and false and rejects anything else", async () => {
    await tools.add("is-leader", { stdout: "true\n" });
    expect(await isLeader()).toBe(true);
    await tools.add("is-leader", { stdout: "false\n" });
    expect(await isLeader()).toBe(false);
    await tools.add("is-leader", { stdout: "True\n" });
    await expect(isLeader()).rejects.toThrow(/not JSON/);
    expect((await tools.calls())[0]).toEqual(["is-leader", "--format=json"]);
  });

  it("open-port and close-port pass PORT/PROTO and reject a bad port", async () => {
    await tools.add("open-port");
    await tools.add("close-port");
    await openPort(8285, "udp");
    await closePort(8285, "udp");
    await expect(openPort(70000, "udp")).rejects.toThrow(/port must be an integer 1-65535; got 70000/);
    expect(await tools.calls()).toEqual([
      ["open-port", "8285/udp"],
      ["close-port", "8285/udp"],
    ]);
  });

  it("resource-get returns the path", async () => {
    await tools.add("resource-get", {
      stdout: "/var/lib/juju/agents/unit-flannel-0/resources/flannel/flannel\n",
    });
    expect(await resourceGet("flannel")).toBe(
      "/var/lib/juju/agents/unit-flannel-0/resources/flannel/flannel",
    );
    expect(await tools.calls()).toEqual([["resource-get", "flannel"]]);
  });

  it("resource-get returns undefined when Juju says nothing was attached", async () => {
    await tools.add("resource-get", {
      stderr:
        "ERROR could not download resource: HTTP request failed: Get https://10.0.0.1:17070/...: resource#flannel/flannel not found\n",
      exitCode: 1,
    });
    expect(await resourceGet("flannel")).toBeUndefined();
  });

  it("resource-get rethrows other failures", async () => {
    await tools.add("resource-get", { stderr: "ERROR connection refused\n", exitCode: 1 });
    await expect(resourceGet("flannel")).rejects.toBeInstanceOf(HookToolError);
  });

  it("network-get returns interfaces and addresses", async () => {
    const out = {
      "bind-addresses": [
        {
          "interface-name": "eth0",
          "mac-address": "00:16:3e:00:00:01",
          addresses: [{ hostname: "", value: "10.0.0.7", cidr: "10.0.0.0/24", address: "10.0.0.7" }],
        },
      ],
      "egress-subnets": ["10.0.0.7/32"],
      "ingress-addresses": ["10.0.0.7"],
    };
    await tools.add("network-get", { stdout: `${JSON.stringify(out)}\n` });
    expect(await networkGet("etcd")).toEqual({
      bindAddresses: [{ interfaceName: "eth0", addresses: ["10.0.0.7"] }],
      ingressAddresses: ["10.0.0.7"],
      egressSubnets: ["10.0.0.7/32"],
    });
    expect(await tools.calls()).toEqual([["network-get", "--format=json", "etcd"]]);
  });
});

describe("action tools", () => {
  it("action-get, action-set and action-fail", async () => {
    await tools.add("action-get", { stdout: '{"force":true}\n' });
    await tools.add("action-set");
    await tools.add("action-fail");
    expect(await actionGet()).toEqual({ force: true });
    await actionSet({ "lease.subnet": "10.10.16.1/24" });
    await actionFail("-no lease");
    await expect(actionSet({ Bad_Key: "x" })).rejects.toThrow(/action-set key "Bad_Key"/);
    expect(await tools.calls()).toEqual([
      ["action-get", "--format=json"],
      ["action-set", "lease.subnet=10.10.16.1/24"],
      ["action-fail", "--", "-no lease"],
    ]);
  });
});
