import { type ChildProcess, spawn } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { JUJUC_CLIENT } from "../support/paths";
import { Agent } from "./agent";
import { useAgent } from "./agent-fixture";
import { createModel, readModel, writeModel } from "./model";
import { runOperation } from "./operations";
import * as runner from "./runner";

const fixture = useAgent("emu-protocol-");

// The socket protocol between jujuc and the agent, and how the client fails when the agent does not
// answer properly: always an `ERROR …` line and a non-zero exit, never a hang.

const relation = {
  id: 1,
  name: "etcd",
  interface: "etcd",
  remoteApp: "etcd",
  localUnitData: {},
  localAppData: {},
  remoteUnits: { "etcd/0": {} },
  remoteAppData: {},
};

function tool(name: string, args: string[], env: Record<string, string>, input?: string) {
  return execa(join(fixture.binDir, name), args, {
    env: { JUJU_AGENT_SOCKET_NETWORK: "unix", JUJU_CONTEXT_ID: "ctx", ...env },
    extendEnv: false,
    reject: false,
    stripFinalNewline: false,
    timeout: 60_000,
    ...(input === undefined ? {} : { input }),
  });
}

const viaAgent = (extra: Record<string, string> = {}) => ({
  JUJU_AGENT_SOCKET_ADDRESS: fixture.agent.socketPath,
  ...extra,
});

describe("jujuc without a working agent", () => {
  let fake: Server | undefined;
  let stale: ChildProcess | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (fake ? fake.close(() => resolve()) : resolve()));
    fake = undefined;
    if (stale?.pid && stale.exitCode === null) stale.kill("SIGKILL");
  });

  /** A server on its own socket that answers every connection with `reply`. */
  async function fakeAgent(reply: (socket: Socket) => void): Promise<string> {
    const path = join(mkdtempSync(join(fixture.root, "fake-")), "agent.socket");
    fake = createServer((socket) => {
      socket.on("error", () => {});
      socket.once("data", () => reply(socket));
    });
    await new Promise<void>((resolve) => fake?.listen(path, resolve));
    return path;
  }

  it("fails with ERROR when the socket is missing", async () => {
    const result = await tool("config-get", [], {
      JUJU_AGENT_SOCKET_ADDRESS: join(fixture.root, "none.socket"),
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^ERROR cannot reach the unit agent: .*no such file or directory\n$/);
    expect(result.stdout).toBe("");
  });

  it("fails with ERROR when the agent is gone (a socket nobody listens on)", async () => {
    const path = join(mkdtempSync(join(fixture.root, "gone-")), "agent.socket");
    const listen = `require("node:net").createServer().listen(${JSON.stringify(path)}, () => console.log("up"))`;
    stale = spawn(process.execPath, ["-e", listen], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise((resolve) => stale?.stdout?.once("data", resolve));
    stale.kill("SIGKILL");
    await new Promise((resolve) => stale?.once("exit", resolve));
    expect(existsSync(path)).toBe(true);
    const result = await tool("status-get", [], { JUJU_AGENT_SOCKET_ADDRESS: path });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^ERROR cannot reach the unit agent: .*connection refused\n$/);
  });

  it("fails with ERROR on a reply that is not a frame, or not JSON", async () => {
    const http = await fakeAgent((s) => s.end("HTTP/1.1 400 Bad Request\r\n\r\n"));
    const notFrame = await tool("config-get", [], { JUJU_AGENT_SOCKET_ADDRESS: http });
    expect(notFrame.exitCode).toBe(1);
    expect(notFrame.stderr).toMatch(/^ERROR invalid reply from the unit agent: frame of \d+ bytes\n$/);
    await new Promise<void>((resolve) => fake?.close(() => resolve()));
    const text = Buffer.from("not json");
    const header = Buffer.alloc(4);
    header.writeUInt32BE(text.length);
    const junk = await fakeAgent((s) => s.end(Buffer.concat([header, text])));
    const notJson = await tool("config-get", [], { JUJU_AGENT_SOCKET_ADDRESS: junk });
    expect(notJson.exitCode).toBe(1);
    expect(notJson.stderr).toMatch(/^ERROR invalid reply from the unit agent: invalid character/);
  });

  it("fails with ERROR when the agent hangs up, or does not answer in time", async () => {
    const hangUp = await fakeAgent((s) => s.end());
    const closed = await tool("config-get", [], { JUJU_AGENT_SOCKET_ADDRESS: hangUp });
    expect(closed).toMatchObject({
      exitCode: 1,
      stderr: "ERROR the unit agent closed the connection without an answer\n",
    });
    await new Promise<void>((resolve) => fake?.close(() => resolve()));
    const silent = await fakeAgent(() => {});
    const env = { JUJU_AGENT_SOCKET_ADDRESS: silent, JUJU_EMULATOR_CALL_TIMEOUT: "1" };
    const timedOut = await tool("config-get", [], env);
    expect(timedOut.exitCode).toBe(1);
    expect(timedOut.stderr).toBe(`ERROR the unit agent at ${silent} did not answer within 1s\n`);
  });

  it("says which variable is missing, and refuses a context the agent does not know", async () => {
    const noSocket = await tool("config-get", [], {});
    expect(noSocket.stderr).toBe(
      "ERROR JUJU_AGENT_SOCKET_ADDRESS not set: hook tools answer inside a hook; on a machine run them as juju-exec UNIT -- TOOL (e.g. juju-exec flannel/0 -- status-get)\n",
    );
    const noContext = await tool("config-get", [], viaAgent({ JUJU_CONTEXT_ID: "" }));
    expect(noContext).toMatchObject({ exitCode: 1, stderr: "ERROR JUJU_CONTEXT_ID not set\n" });
    const unknown = await tool("config-get", [], viaAgent({ JUJU_CONTEXT_ID: "flannel/0-install-9" }));
    expect(unknown).toMatchObject({
      exitCode: 1,
      stderr: 'ERROR bad request: unknown context id "flannel/0-install-9"\n',
    });
  });
});

describe("jujuc with the agent", () => {
  it("sends several MiB of stdin to relation-set --file - intact", async () => {
    fixture.agent.openContext("ctx", { JUJU_RELATION_ID: "etcd:1" }, createModel({ relations: [relation] }));
    const big = "x".repeat(6 * 1024 * 1024);
    const set = await tool("relation-set", ["--file", "-"], viaAgent(), `cert: ${big}\nport: "2379"\n`);
    expect(set).toMatchObject({ exitCode: 0, stderr: "" });
    const got = await tool("relation-get", ["--format=json", "-", "flannel/0"], viaAgent());
    const { model, calls } = fixture.agent.closeContext("ctx");
    expect(JSON.parse(got.stdout)).toEqual({ cert: big, port: "2379" });
    expect(model.relations[0]?.localUnitData.cert?.length).toBe(big.length);
    expect(calls.map((c) => [c.tool, c.exitCode])).toEqual([
      ["relation-set", 0],
      ["relation-get", 0],
    ]);
  });

  it("never waits for stdin a tool does not read", async () => {
    fixture.agent.openContext("ctx", {}, createModel({ config: { port: 1 } }));
    const child = execa(join(fixture.binDir, "config-get"), ["port"], {
      env: { ...viaAgent(), JUJU_AGENT_SOCKET_NETWORK: "unix", JUJU_CONTEXT_ID: "ctx" },
      extendEnv: false,
      stdin: "pipe",
      timeout: 60_000,
    });
    // stdin stays open: the call must finish without it.
    const result = await child;
    fixture.agent.closeContext("ctx");
    expect(result.stdout).toBe("1");
    expect(result.exitCode).toBe(0);
  });
});

describe("operator commands through jujuc (juju-emulator)", () => {
  it("remote-change takes a remote unit's settings from stdin or a file: MiB values, past argv's 128 KiB cap", async () => {
    const dir = mkdtempSync(join(fixture.root, "operator-"));
    const charmDir = etcdRequirerCharm(dir);
    // The hook reports the size of what relation-get gives it, so the test sees what a charm would.
    const hook =
      '[ -n "$JUJU_REMOTE_UNIT" ] && relation-get --format=json - "$JUJU_REMOTE_UNIT" | wc -c >>"$CHARM_DIR/seen"; exit 0\n';
    writeFileSync(join(charmDir, "dispatch"), `#!/bin/sh\n${hook}`);
    chmodSync(join(charmDir, "dispatch"), 0o755);
    const operator = await Agent.start(join(dir, "agent.socket"), (args, cwd, readStdin) =>
      runOperation(args, cwd, { agent: operator, binDir: fixture.binDir }, readStdin),
    );
    const operatorCli = join(dir, "juju-emulator");
    symlinkSync(JUJUC_CLIENT, operatorCli);
    const call = (args: string[], input?: string) =>
      execa(operatorCli, [...args, "--model", join(dir, "model.json"), "--charm-dir", charmDir], {
        env: { JUJU_AGENT_SOCKET_ADDRESS: operator.socketPath, JUJU_AGENT_SOCKET_NETWORK: "unix" },
        extendEnv: false,
        reject: false,
        timeout: 120_000,
        ...(input === undefined ? { stdin: "ignore" as const } : { input }),
      });
    try {
      expect((await call(["init", "--json", "{}"])).exitCode).toBe(0);
      const related = await call([
        "relate",
        "--name",
        "etcd",
        "--remote-app",
        "etcd",
        "--json",
        '{"remoteUnits":{"etcd/0":{}}}',
      ]);
      expect(related.exitCode).toBe(0);
      const id = String(JSON.parse(related.stdout).relationId);
      const mib = {
        connection_string: `https://${"a".repeat(1024 * 1024)}:2379`,
        client_cert: "c".repeat(1536 * 1024),
      };
      const change = ["remote-change", "--relation-id", id, "--unit", "etcd/0"];

      const fromStdin = await call([...change, "--data-file", "-"], JSON.stringify(mib));
      expect(fromStdin.exitCode).toBe(0);
      expect(
        JSON.parse(fromStdin.stdout).hooks.map((h: { hook: string; exitCode: number }) => [
          h.hook,
          h.exitCode,
        ]),
      ).toEqual([["etcd-relation-changed", 0]]);
      expect(readModel(join(dir, "model.json")).relations[0]?.remoteUnits["etcd/0"]).toEqual(mib);

      writeFileSync(join(dir, "data.json"), JSON.stringify({ ...mib, port: "2379" }));
      const fromFile = await call([...change, "--data-file", join(dir, "data.json")]);
      expect(fromFile.exitCode).toBe(0);
      expect(readModel(join(dir, "model.json")).relations[0]?.remoteUnits["etcd/0"]?.port).toBe("2379");
      const sizes = readFileSync(join(charmDir, "seen"), "utf8").trim().split("\n").map(Number);
      expect(sizes.slice(-2).every((size) => size > 2.5 * 1024 * 1024)).toBe(true);

      const both = await call([...change, "--data", "{}", "--data-file", "-"], "{}");
      expect(both.exitCode).toBe(1);
      expect(JSON.parse(both.stdout).error).toBe("give --data or --data-file, not both");
    } finally {
      await operator.close();
    }
  });
});

describe("concurrent calls from one hook", () => {
  it("applies every call and records each, in start order", async () => {
    const dir = mkdtempSync(join(fixture.root, "charm-"));
    const charmDir = etcdRequirerCharm(dir);
    const script = [
      "#!/bin/sh",
      '[ -n "$JUJU_RELATION_ID" ] || exit 0',
      'for i in $(seq 1 24); do relation-set "k$i=v$i" & juju-log --log-level DEBUG "call $i" & done',
      "wait",
      "",
    ].join("\n");
    writeFileSync(join(charmDir, "dispatch"), script);
    chmodSync(join(charmDir, "dispatch"), 0o755);
    const modelPath = join(dir, "model.json");
    writeModel(modelPath, createModel());
    const opts = { charmDir, modelPath, binDir: fixture.binDir, agent: fixture.agent };
    const result = await runner.relate(opts, {
      name: "etcd",
      remoteApp: "etcd",
      remoteUnits: { "etcd/0": {} },
    });
    const changed = result.hooks.find((h) => h.hook === "etcd-relation-changed");
    expect(changed?.exitCode).toBe(0);
    const expected = Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`k${i + 1}`, `v${i + 1}`]));
    expect(readModel(modelPath).relations[0]?.localUnitData).toEqual(expected);
    const calls = changed?.calls ?? [];
    expect(calls.filter((c) => c.tool === "relation-set" && c.exitCode === 0)).toHaveLength(24);
    expect(calls.filter((c) => c.tool === "juju-log" && c.exitCode === 0)).toHaveLength(24);
    expect(calls.map((c) => c.atMs)).toEqual([...calls.map((c) => c.atMs)].sort((a, b) => a - b));
    expect(calls.every((c) => c.ms >= 0 && c.ms < (changed?.durationMs ?? 0) + 1)).toBe(true);
  });
});

/** A charm directory with just the metadata and config the hook runner reads: an etcd requirer. */
function etcdRequirerCharm(dir: string): string {
  const charmDir = join(dir, "charm");
  mkdirSync(charmDir);
  writeFileSync(join(charmDir, "metadata.yaml"), "name: flannel\nrequires:\n  etcd:\n    interface: etcd\n");
  writeFileSync(join(charmDir, "config.yaml"), "options: {}\n");
  return charmDir;
}
