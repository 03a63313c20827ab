import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { JUJUC_CLIENT } from "../support/paths";
import { Agent } from "./agent";
import { installHookTools } from "./install";
import { createModel, readModel, writeModel } from "./model";
import * as runner from "./runner";

let root: string;
let opts: runner.RunnerOptions;
let charmDir: string;
let agent: Agent;

// The fake charm's dispatch dumps Juju's variables and calls real hook tools through PATH.
const dispatch = `#!/bin/sh
env | grep -E '^(CHARM_DIR|JUJU_[A-Z_]+)=' | grep -v JUJU_EMULATOR | sort
echo "list=$(relation-list 2>/dev/null | tr '\\n' ,)"
status-set maintenance "in $JUJU_HOOK_NAME"
[ -f "$CHARM_DIR/fail-$JUJU_HOOK_NAME" ] && exit 3
[ -n "$JUJU_ACTION_NAME" ] && action-set who="$(action-get target)"
exit 0
`;

function writeCharm(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "metadata.yaml"),
    "name: flannel\nrequires:\n  etcd:\n    interface: etcd\nresources:\n  flannel:\n    type: file\n",
  );
  writeFileSync(join(dir, "config.yaml"), "options:\n  port:\n    type: int\n    default: 8285\n");
  writeFileSync(
    join(dir, "actions.yaml"),
    "health:\n  params:\n    target:\n      type: string\n      default: all\n",
  );
  writeFileSync(join(dir, "dispatch"), dispatch);
  chmodSync(join(dir, "dispatch"), 0o755);
}

function envOf(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .split("\n")
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => l.split(/=(.*)/s).slice(0, 2)),
  );
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "emu-runner-"));
  installHookTools(join(root, "bin"), JUJUC_CLIENT);
  agent = await Agent.start(join(root, "agent.socket"));
});
afterAll(async () => {
  await agent?.close();
  rmSync(root, { recursive: true, force: true });
});

beforeEach(() => {
  const dir = mkdtempSync(join(root, "case-"));
  charmDir = join(dir, "charm");
  writeCharm(charmDir);
  opts = { charmDir, modelPath: join(dir, "model.json"), binDir: join(root, "bin"), agent };
  writeModel(opts.modelPath, createModel());
});

describe("hook runner", () => {
  it("deploys in Juju's order with Juju's environment", async () => {
    const result = await runner.deploy(opts);
    expect(result.hooks.map((h) => h.hook)).toEqual(["install", "leader-elected", "config-changed", "start"]);
    const env = envOf(result.hooks[0]?.stdout ?? "");
    expect(env).toMatchObject({
      CHARM_DIR: charmDir,
      JUJU_CHARM_DIR: charmDir,
      JUJU_UNIT_NAME: "flannel/0",
      JUJU_HOOK_NAME: "install",
      JUJU_DISPATCH_PATH: "hooks/install",
      JUJU_MODEL_NAME: "test",
      JUJU_MACHINE_ID: "0",
      JUJU_VERSION: "3.6.0",
    });
    expect(env.JUJU_CONTEXT_ID).toMatch(/^flannel\/0-install-/);
    expect(env).toMatchObject({
      JUJU_AGENT_SOCKET_NETWORK: "unix",
      JUJU_AGENT_SOCKET_ADDRESS: agent.socketPath,
    });
    // Every hook reports its hook-tool calls in order, with exit code and duration.
    const calls = result.hooks[3]?.calls ?? [];
    expect(calls.map((c) => [c.tool, c.argv, c.exitCode])).toEqual([
      ["relation-list", [], 2],
      ["status-set", ["maintenance", "in start"], 0],
    ]);
    expect(calls.every((c) => c.ms > 0 && c.ms <= (result.hooks[3]?.durationMs ?? 0))).toBe(true);
    expect(env.JUJU_RELATION_ID).toBeUndefined();
    expect(result.hooks[3]?.diff.statuses).toEqual([
      { status: "maintenance", message: "in start", target: "unit", hook: "start" },
    ]);
  });

  it("skips leader-elected for a non-leader", async () => {
    writeModel(opts.modelPath, createModel({ leader: false }));
    expect((await runner.deploy(opts)).hooks.map((h) => h.hook)).toEqual([
      "install",
      "config-changed",
      "start",
    ]);
  });

  it("relates: created, then joined and changed per unit, with relation variables", async () => {
    const units = { "etcd/0": { port: "1" }, "etcd/1": { port: "2" } };
    const result = await runner.relate(opts, { name: "etcd", remoteApp: "etcd", remoteUnits: units });
    expect(result.hooks.map((h) => h.hook)).toEqual([
      "etcd-relation-created",
      "etcd-relation-joined",
      "etcd-relation-changed",
      "etcd-relation-joined",
      "etcd-relation-changed",
    ]);
    // relation-list grows as units join, as Juju reports membership.
    expect(result.hooks.map((h) => /list=(.*)/.exec(h.stdout)?.[1])).toEqual([
      "",
      "etcd/0,",
      "etcd/0,",
      "etcd/0,etcd/1,",
      "etcd/0,etcd/1,",
    ]);
    expect(envOf(result.hooks[3]?.stdout ?? "")).toMatchObject({
      JUJU_RELATION: "etcd",
      JUJU_RELATION_ID: "etcd:0",
      JUJU_REMOTE_UNIT: "etcd/1",
      JUJU_REMOTE_APP: "etcd",
    });
  });

  it("departs and breaks: departed names the departing unit, broken removes the relation", async () => {
    const { relationId = -1 } = await runner.relate(opts, {
      name: "etcd",
      remoteApp: "etcd",
      remoteUnits: { "etcd/0": {} },
    });
    const departed = await runner.unrelate(opts, relationId);
    expect(departed.hooks.map((h) => h.hook)).toEqual(["etcd-relation-departed", "etcd-relation-broken"]);
    expect(envOf(departed.hooks[0]?.stdout ?? "")).toMatchObject({
      JUJU_REMOTE_UNIT: "etcd/0",
      JUJU_DEPARTING_UNIT: "etcd/0",
    });
    expect(readModel(opts.modelPath).relations).toEqual([]);
  });

  it("a failing hook puts the unit in error; operations refuse until resolve retries it", async () => {
    writeFileSync(join(charmDir, "fail-config-changed"), "");
    const first = await runner.deploy(opts);
    expect(first.hooks.map((h) => [h.hook, h.exitCode])).toEqual([
      ["install", 0],
      ["leader-elected", 0],
      ["config-changed", 3],
    ]);
    expect(first.error?.hook).toBe("config-changed");
    await expect(runner.updateStatus(opts)).rejects.toThrow(/hook failed: "config-changed"/);
    rmSync(join(charmDir, "fail-config-changed"));
    const resolved = await runner.resolve(opts);
    expect(resolved.hooks.map((h) => h.hook)).toEqual(["config-changed", "start"]);
    expect(readModel(opts.modelPath).error).toBeNull();
  });

  it("reports every consistency problem at once and changes nothing", async () => {
    writeModel(opts.modelPath, createModel({ config: { port: "x", nope: 1 }, resources: { other: "/x" } }));
    await expect(
      runner.relate(opts, { name: "db", remoteApp: "pg", interface: "pgsql" }),
    ).rejects.toMatchObject({
      problems: [
        'option "port" expected int, got "x"',
        'config option "nope" is not declared in config.yaml',
        'relation db:0: no endpoint "db" in metadata.yaml (has: etcd)',
        'resource "other" is not declared in metadata.yaml',
      ],
    });
    expect(readModel(opts.modelPath).relations).toEqual([]);
  });

  it("runs actions with actions.yaml defaults and returns their results", async () => {
    const result = await runner.runAction(opts, "health");
    const env = envOf(result.hooks[0]?.stdout ?? "");
    expect(env).toMatchObject({ JUJU_ACTION_NAME: "health", JUJU_DISPATCH_PATH: "actions/health" });
    expect(result.hooks[0]?.diff.action).toMatchObject({ status: "completed", results: { who: "all" } });
  });

  it("runs a command in a hook context of its own, as juju exec does", async () => {
    const result = await runner.exec(opts, ["sh", "-c", 'config-get port && echo "hook=$JUJU_HOOK_NAME"']);
    expect(result.hooks[0]).toMatchObject({ exitCode: 0, stdout: "8285\nhook=\n" });
    expect(result.hooks[0]?.calls.map((c) => c.tool)).toEqual(["config-get"]);
  });

  it("falls back to hooks/<name> without dispatch and skips absent hooks silently", async () => {
    rmSync(join(charmDir, "dispatch"));
    mkdirSync(join(charmDir, "hooks"));
    writeFileSync(join(charmDir, "hooks", "install"), "#!/bin/sh\nopen-port 8285/udp\n");
    chmodSync(join(charmDir, "hooks", "install"), 0o755);
    const result = await runner.deploy(opts);
    expect(result.hooks.map((h) => [h.hook, h.ran])).toEqual([
      ["install", true],
      ["leader-elected", false],
      ["config-changed", false],
      ["start", false],
    ]);
    expect(result.hooks[0]?.diff.openedPorts).toEqual(["8285/udp"]);
  });
});

describe("peer relations", () => {
  // The fake charm's dispatch also prints the application bag as this unit reads it.
  const peerDispatch = `#!/bin/sh
echo "list=$(relation-list 2>/dev/null | tr '\\n' ,)"
echo "app=$(relation-get --app - flannel 2>&1 | tr '\\n' ' ')"
echo "appset=$(relation-set --app turn=x 2>&1)"
exit 0
`;

  function withPeers(leader: boolean) {
    writeFileSync(
      join(charmDir, "metadata.yaml"),
      "name: flannel\nrequires:\n  etcd:\n    interface: etcd\npeers:\n  overlay:\n    interface: flannel-mesh\n",
    );
    writeFileSync(join(charmDir, "dispatch"), peerDispatch);
    writeModel(opts.modelPath, createModel({ unitName: "flannel/1", leader }));
  }

  it("exist from deploy on: created right after install, before leader-elected", async () => {
    withPeers(true);
    const result = await runner.deploy(opts);
    expect(result.hooks.map((h) => h.hook)).toEqual([
      "install",
      "overlay-relation-created",
      "leader-elected",
      "config-changed",
      "start",
    ]);
    expect(readModel(opts.modelPath).relations).toMatchObject([
      { id: 0, name: "overlay", interface: "flannel-mesh", remoteApp: "flannel", remoteUnits: {} },
    ]);
    // A second deploy (e.g. after a reinstall) does not create the relation again.
    expect((await runner.deploy(opts)).hooks.map((h) => h.hook)).not.toContain("overlay-relation-created");
  });

  it("list the other units; every unit reads the app bag, only the leader writes it", async () => {
    withPeers(false);
    await runner.deploy(opts);
    const joined = await runner.remoteJoins(opts, 0, "flannel/0", { subnet: "10.10.1.1/24" });
    expect(joined.hooks.map((h) => h.hook)).toEqual(["overlay-relation-joined", "overlay-relation-changed"]);
    expect(/list=(.*)/.exec(joined.hooks[0]?.stdout ?? "")?.[1]).toBe("flannel/0,");
    const changed = await runner.remoteChange(opts, 0, null, { turn: "flannel/2" });
    const stdout = changed.hooks[0]?.stdout ?? "";
    expect(/app=(.*)/.exec(stdout)?.[1]).toBe("turn: flannel/2 ");
    expect(/appset=(.*)/.exec(stdout)?.[1]).toBe("ERROR cannot write relation settings");
    expect(envOf(stdout)).toEqual({});
    expect(readModel(opts.modelPath).relations[0]?.localAppData).toEqual({ turn: "flannel/2" });
    const departed = await runner.remoteDeparts(opts, 0, "flannel/0");
    expect(/list=(.*)/.exec(departed.hooks[0]?.stdout ?? "")?.[1]).toBe("");
  });

  it("are refused when they name another application", async () => {
    withPeers(true);
    await expect(runner.relate(opts, { name: "overlay", remoteApp: "other" })).rejects.toMatchObject({
      problems: ['relation overlay:0: a peers endpoint joins only units of "flannel"'],
    });
  });
});

describe("secrets", () => {
  it("a new revision nobody tracks fires secret-remove at once; a tracked one when its consumer moves on", async () => {
    const added = await runner.exec(opts, ["secret-add", "--label", "db", "password=one"]);
    const uri = added.hooks[0]?.stdout.trim() ?? "";
    expect(uri).toMatch(/^secret:[0-9a-v]{20}$/);
    expect((await runner.secretConsumerRefresh(opts, uri, "etcd/0")).hooks).toEqual([]);

    const set = await runner.exec(opts, ["secret-set", uri, "password=two"]);
    expect(set.hooks.map((h) => h.hook)).toEqual(["juju-exec"]);
    const refreshed = await runner.secretConsumerRefresh(opts, uri, "etcd/0");
    expect(refreshed.hooks.map((h) => h.hook)).toEqual(["secret-remove"]);
    const env = envOf(refreshed.hooks[0]?.stdout ?? "");
    expect(env).toMatchObject({ JUJU_SECRET_ID: uri, JUJU_SECRET_LABEL: "db", JUJU_SECRET_REVISION: "1" });

    const again = await runner.exec(opts, ["secret-set", uri, "password=three"]);
    expect(again.hooks.map((h) => h.hook)).toEqual(["juju-exec"]);
    // The model file holds secret content: owner-only, as Juju never leaves it world-readable.
    expect(statSync(opts.modelPath).mode & 0o077).toBe(0);
  });

  it("the owner's leader gets secret-expired naming the secret, its label and the revision that expired", async () => {
    const id = "d4s1g1vmp25c77ikfbe0";
    const uri = `secret:${id}`;
    const content = { cert: Buffer.from("one").toString("base64") };
    const secret = {
      id,
      ownerKind: "application" as const,
      ownerName: "flannel",
      label: "flannel-etcd-client",
      expireTime: "2026-03-01T00:00:00Z",
      revisions: [
        { revision: 1, content },
        { revision: 2, content },
      ],
      grants: [],
      consumers: {},
    };
    writeModel(opts.modelPath, createModel({ secrets: [secret] }));
    const expired = await runner.secretExpired(opts, uri);
    expect(expired.hooks.map((h) => h.hook)).toEqual(["secret-expired"]);
    expect(envOf(expired.hooks[0]?.stdout ?? "")).toMatchObject({
      JUJU_SECRET_ID: uri,
      JUJU_SECRET_LABEL: "flannel-etcd-client",
      JUJU_SECRET_REVISION: "2",
    });
    writeModel(opts.modelPath, createModel({ leader: false, secrets: [secret] }));
    await expect(runner.secretExpired(opts, uri)).rejects.toThrow(/does not own/);
  });

  it("a consumer that read a secret gets secret-changed for the owner's new revision, and sees it on --refresh", async () => {
    const id = "9m4e2mr0ui3e8a215n4g";
    const uri = `secret:${id}`;
    const grant = {
      target: "application-flannel",
      scope: "etcd:certs flannel:etcd",
      role: "view" as const,
      relationId: 0,
    };
    const content = { cert: Buffer.from("one").toString("base64") };
    const secret = {
      id,
      ownerKind: "application" as const,
      ownerName: "etcd",
      revisions: [{ revision: 1, content }],
      grants: [grant],
      consumers: {},
    };
    writeModel(opts.modelPath, createModel({ secrets: [secret] }));
    expect((await runner.secretChanged(opts, uri, { cert: "two" })).hooks).toEqual([]);
    expect((await runner.exec(opts, ["secret-get", uri, "cert"])).hooks[0]?.stdout).toBe("two\n");

    const changed = await runner.secretChanged(opts, uri, { cert: "three" });
    expect(changed.hooks.map((h) => h.hook)).toEqual(["secret-changed"]);
    expect(envOf(changed.hooks[0]?.stdout ?? "")).toMatchObject({ JUJU_SECRET_ID: uri });
    expect((await runner.exec(opts, ["secret-get", uri, "cert"])).hooks[0]?.stdout).toBe("two\n");
    expect((await runner.exec(opts, ["secret-get", uri, "cert", "--peek"])).hooks[0]?.stdout).toBe("three\n");
    expect((await runner.exec(opts, ["secret-get", uri, "cert", "--refresh"])).hooks[0]?.stdout).toBe(
      "three\n",
    );
  });
});
