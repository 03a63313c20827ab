import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { callTool, useAgent } from "./agent-fixture";
import { createModel, type Model, readModel, writeModel } from "./model";

const fixture = useAgent("emu-agent-");

// Expected outputs come from Juju's jujuc/cmd behaviour: smart = strings as-is, string lists one per
// line, booleans True/False, maps as YAML; json always ends in a newline; usage errors exit 2.
let dir: string;
let modelPath: string;
let calls = 0;

const relation = {
  id: 3,
  name: "etcd",
  interface: "etcd",
  remoteApp: "etcd",
  localUnitData: { mine: "1" },
  localAppData: {},
  remoteUnits: { "etcd/1": { port: "2379" }, "etcd/0": { hostname: "10.0.0.5", port: "4001" } },
  remoteAppData: { cluster: "c1" },
};

function setModel(overrides: Partial<Model> = {}): void {
  writeModel(
    modelPath,
    createModel({ relations: [structuredClone(relation)], nextRelationId: 4, ...overrides }),
  );
}

/** Calls a hook tool as a hook would: jujuc under the tool's name, in a context the agent holds. */
async function run(argv: string[], env: Record<string, string> = {}, stdin = "") {
  const contextId = `flannel/0-test-${++calls}`;
  fixture.agent.openContext(contextId, env, readModel(modelPath));
  const result = await callTool(fixture, contextId, argv, dir, stdin);
  writeModel(modelPath, fixture.agent.closeContext(contextId).model);
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

const inRelation = {
  JUJU_RELATION: "etcd",
  JUJU_RELATION_ID: "etcd:3",
  JUJU_REMOTE_UNIT: "etcd/0",
  JUJU_REMOTE_APP: "etcd",
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "emu-tools-"));
  modelPath = join(dir, "model.json");
  setModel({
    config: { iface: "eth1" },
    configDefaults: { port: 8285, iface: null, debug: false, name: null },
  });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("config-get", () => {
  it("omits keys with neither value nor default", async () => {
    expect((await run(["config-get", "--format=json"])).stdout).toBe(
      '{"debug":false,"iface":"eth1","port":8285}\n',
    );
  });
  it("prints YAML by default for the map and plain text for one key", async () => {
    expect((await run(["config-get"])).stdout).toBe("debug: false\niface: eth1\nport: 8285\n");
    expect((await run(["config-get", "iface"])).stdout).toBe("eth1\n");
    expect((await run(["config-get", "port"])).stdout).toBe("8285\n");
  });
  it("prints null in JSON and nothing in smart for an unknown key", async () => {
    expect((await run(["config-get", "--format", "json", "nope"])).stdout).toBe("null\n");
    expect(await run(["config-get", "nope"])).toEqual({ exitCode: 0, stdout: "", stderr: "" });
  });
  it("--all includes unset keys as null and refuses a key", async () => {
    expect((await run(["config-get", "--all", "--format=json"])).stdout).toContain('"name":null');
    expect(await run(["config-get", "-a", "port"])).toMatchObject({
      exitCode: 2,
      stderr: 'ERROR cannot use argument --all together with key "port"\n',
    });
  });
  it("rejects an unknown format and an unknown option with exit 2", async () => {
    expect(await run(["config-get", "--format=xml"])).toMatchObject({
      exitCode: 2,
      stderr: 'ERROR invalid value "xml" for option --format: unknown format "xml"\n',
    });
    expect(await run(["config-get", "--bogus"])).toMatchObject({
      exitCode: 2,
      stderr: "ERROR option provided but not defined: --bogus\n",
    });
  });
});

describe("relation-get", () => {
  it("defaults to the hook's relation and remote unit; `-` means all keys", async () => {
    expect((await run(["relation-get", "--format=json"], inRelation)).stdout).toBe(
      '{"hostname":"10.0.0.5","port":"4001"}\n',
    );
    expect((await run(["relation-get", "--format=json", "-"], inRelation)).stdout).toBe(
      '{"hostname":"10.0.0.5","port":"4001"}\n',
    );
    expect((await run(["relation-get", "hostname"], inRelation)).stdout).toBe("10.0.0.5\n");
    expect((await run(["relation-get", "--format=json", "missing"], inRelation)).stdout).toBe("null\n");
  });
  it("reads a named unit, the local unit, and the remote app with --app", async () => {
    expect((await run(["relation-get", "-r", "etcd:3", "port", "etcd/1"])).stdout).toBe("2379\n");
    expect((await run(["relation-get", "-r", "3", "-", "flannel/0"])).stdout).toBe('mine: "1"\n');
    expect((await run(["relation-get", "-r", "3", "--app", "-", "etcd"])).stdout).toBe("cluster: c1\n");
  });
  it("needs a relation id outside a relation hook", async () => {
    expect(await run(["relation-get", "-", "etcd/0"])).toMatchObject({
      exitCode: 2,
      stderr: "ERROR no relation id specified\n",
    });
  });
  it("rejects bad and unknown relation ids", async () => {
    expect((await run(["relation-get", "-r", "one", "-", "etcd/0"])).stderr).toBe(
      'ERROR invalid value "one" for option -r: invalid relation id\n',
    );
    expect((await run(["relation-get", "--relation", "etcd:9", "-", "etcd/0"])).stderr).toBe(
      'ERROR invalid value "etcd:9" for option --relation: relation not found\n',
    );
  });
  it("needs a unit when the hook has no remote unit", async () => {
    expect(await run(["relation-get", "-r", "3"])).toMatchObject({
      exitCode: 2,
      stderr: "ERROR no unit or application specified\n",
    });
  });
});

describe("relation-set", () => {
  it("sets keys, deletes on empty value, and reads --file YAML overridden by arguments", async () => {
    writeFileSync(join(dir, "s.yaml"), "a: from-file\nb: 2\n");
    expect((await run(["relation-set", "x=1", "mine="], inRelation)).exitCode).toBe(0);
    expect((await run(["relation-set", "-r", "3", "--file", join(dir, "s.yaml"), "a=arg"])).exitCode).toBe(0);
    expect((await run(["relation-set", "-r", "3", "--file", "-"], {}, "c: stdin\n")).exitCode).toBe(0);
    expect(readModel(modelPath).relations[0]?.localUnitData).toEqual({
      x: "1",
      a: "arg",
      b: "2",
      c: "stdin",
    });
  });
  it("writes app data only as leader", async () => {
    expect((await run(["relation-set", "-r", "3", "--app", "k=v"])).exitCode).toBe(0);
    setModel({ leader: false });
    expect(await run(["relation-set", "-r", "3", "--app", "k=v"])).toMatchObject({
      exitCode: 1,
      stderr: "ERROR cannot write relation settings\n",
    });
  });
  it("rejects malformed pairs and a missing relation", async () => {
    expect(await run(["relation-set", "-r", "3", "novalue"])).toMatchObject({
      exitCode: 2,
      stderr: 'ERROR expected "key=value", got "novalue"\n',
    });
    expect((await run(["relation-set", "a=b"])).stderr).toBe("ERROR no relation id specified\n");
  });
});

describe("relation-ids and relation-list", () => {
  it("lists ids by name, defaulting to the hook's relation", async () => {
    expect((await run(["relation-ids", "--format=json", "etcd"])).stdout).toBe('["etcd:3"]\n');
    expect((await run(["relation-ids"], inRelation)).stdout).toBe("etcd:3\n");
    expect((await run(["relation-ids", "--format=json", "other"])).stdout).toBe("[]\n");
    expect(await run(["relation-ids"])).toMatchObject({
      exitCode: 2,
      stderr: "ERROR no endpoint name specified\n",
    });
  });
  it("lists remote units sorted, or the remote app", async () => {
    expect((await run(["relation-list", "--format=json", "-r", "3"])).stdout).toBe('["etcd/0","etcd/1"]\n');
    expect((await run(["relation-list"], inRelation)).stdout).toBe("etcd/0\netcd/1\n");
    expect((await run(["relation-list", "-r", "3", "--app"])).stdout).toBe("etcd\n");
    expect((await run(["relation-list"])).stderr).toBe("ERROR no relation id specified\n");
  });
});

describe("status tools", () => {
  it("status-set validates the state and records history", async () => {
    expect((await run(["status-set", "blocked", "need etcd"], { JUJU_HOOK_NAME: "start" })).exitCode).toBe(0);
    expect((await run(["status-set", "--application", "active"])).exitCode).toBe(0);
    expect(await run(["status-set", "broken", "x"])).toMatchObject({
      exitCode: 2,
      stderr: 'ERROR invalid status "broken", expected one of [maintenance blocked waiting active]\n',
    });
    const model = readModel(modelPath);
    expect(model.unitStatus).toEqual({ status: "blocked", message: "need etcd" });
    expect(model.statusHistory[0]).toEqual({
      status: "blocked",
      message: "need etcd",
      target: "unit",
      hook: "start",
    });
    expect(model.appStatus.status).toBe("active");
  });
  it("status-set --application needs leadership", async () => {
    setModel({ leader: false });
    expect(await run(["status-set", "--application", "active", ""])).toMatchObject({
      exitCode: 1,
      stderr: "ERROR this unit is not the leader\n",
    });
  });
  it("status-get prints the status, or details with --include-data", async () => {
    await run(["status-set", "waiting", "etcd"]);
    expect((await run(["status-get"])).stdout).toBe("waiting\n");
    expect((await run(["status-get", "--format=json"])).stdout).toBe('{"status":"waiting"}\n');
    expect((await run(["status-get", "--format=json", "--include-data"])).stdout).toBe(
      '{"message":"etcd","status":"waiting","status-data":{}}\n',
    );
  });
  it("juju-log records level and relation prefix; application-version-set stores the version", async () => {
    await run(["juju-log", "-l", "WARNING", "disk", "low"]);
    await run(["juju-log", "hello"], inRelation);
    await run(["application-version-set", "0.28.9"]);
    const model = readModel(modelPath);
    expect(model.logs.map((l) => [l.level, l.message])).toEqual([
      ["WARNING", "disk low"],
      ["INFO", "etcd:3: hello"],
    ]);
    expect(model.applicationVersion).toBe("0.28.9");
    expect(await run(["juju-log"])).toMatchObject({ exitCode: 2, stderr: "ERROR no message specified\n" });
    expect((await run(["application-version-set"])).stderr).toBe("ERROR no version specified\n");
  });
});

describe("unit, leader, ports, resources, network", () => {
  it("unit-get and is-leader", async () => {
    expect((await run(["unit-get", "private-address"])).stdout).toBe("10.0.0.10\n");
    expect(await run(["unit-get", "nope"])).toMatchObject({
      exitCode: 2,
      stderr: 'ERROR unknown setting "nope"\n',
    });
    expect((await run(["is-leader"])).stdout).toBe("True\n");
    expect((await run(["is-leader", "--format=json"])).stdout).toBe("true\n");
  });
  it("open-port/close-port/opened-ports with Juju's port forms", async () => {
    for (const p of ["8285/udp", "80", "1000-2000/tcp", "icmp"])
      expect((await run(["open-port", p])).exitCode).toBe(0);
    await run(["close-port", "80/tcp"]);
    expect((await run(["opened-ports", "--format=json"])).stdout).toBe(
      '["icmp","1000-2000/tcp","8285/udp"]\n',
    );
    expect((await run(["open-port", "70000/udp"])).stderr).toBe(
      'ERROR port must be in the range [1, 65535]; got "70000"\n',
    );
    expect((await run(["open-port", "80/sctp"])).stderr).toBe(
      'ERROR protocol must be "tcp", "udp", or "icmp"; got "sctp"\n',
    );
    expect(await run(["open-port"])).toMatchObject({
      exitCode: 2,
      stderr: "ERROR no port or range specified\n",
    });
  });
  it("resource-get prints the path or fails like Juju when nothing was attached", async () => {
    setModel({ resources: { flannel: "/srv/flannel.tgz" } });
    expect((await run(["resource-get", "flannel"])).stdout).toBe("/srv/flannel.tgz");
    const missing = await run(["resource-get", "other"]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(
      /^ERROR could not download resource: HTTP request failed: Get https:\/\/.*\/units\/unit-flannel-0\/resources\/other: resource#flannel\/other not found\n$/,
    );
  });
  it("network-get gives the binding's addresses", async () => {
    expect((await run(["network-get", "--ingress-address", "etcd"])).stdout).toBe("10.0.0.10\n");
    expect(
      JSON.parse((await run(["network-get", "--format=json", "etcd"])).stdout)["ingress-addresses"],
    ).toEqual(["10.0.0.10"]);
  });
});

describe("action tools", () => {
  const action = {
    name: "health",
    id: "1",
    params: { verbose: true, target: { host: "h" } },
    results: {},
    failed: false,
    message: "",
    logs: [],
  };
  it("fail outside an action", async () => {
    expect(await run(["action-get"])).toMatchObject({ exitCode: 1, stderr: "ERROR not running an action\n" });
  });
  it("get params, set nested results, fail with a message, log", async () => {
    setModel({ action: structuredClone(action) });
    expect((await run(["action-get", "--format=json"])).stdout).toBe(
      '{"target":{"host":"h"},"verbose":true}\n',
    );
    expect((await run(["action-get", "target.host"])).stdout).toBe("h\n");
    expect((await run(["action-set", "out.size=10G", "ok=yes"])).exitCode).toBe(0);
    expect((await run(["action-set", "Bad=1"])).exitCode).toBe(2);
    expect((await run(["action-set", "stdout=x"])).stderr).toBe(
      'ERROR cannot set reserved action key "stdout"\n',
    );
    await run(["action-log", "working"]);
    await run(["action-fail"]);
    const result = readModel(modelPath).action;
    expect(result?.results).toEqual({ out: { size: "10G" }, ok: "yes" });
    expect(result?.logs).toEqual(["working"]);
    expect(result?.message).toBe("action failed without reason given, check action for errors");
  });
});
