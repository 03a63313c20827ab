import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "./run";
import { diffSnapshots, filterSnapshot, type HostSnapshot, takeSnapshot } from "./snapshot";
import { type Machine, World } from "./world";

describe("a world of 3 booted machines", () => {
  let before: HostSnapshot;
  let world: World;

  beforeAll(async () => {
    before = await takeSnapshot();
    world = await World.boot({ machines: 3 });
    const perMachine = world.machines.map((m) => `${m.name} ${m.bootTimesMs[0]} ms`).join(", ");
    console.log(
      `world ${world.id}: image ${world.timings.imageMs} ms, 3 in parallel ${world.timings.bootMs} ms (${perMachine})`,
    );
  });

  afterAll(async () => {
    await world?.teardown();
  });

  it("gives each machine its name, address and machine-id, booted with systemd", async () => {
    expect(world.machines.map((m) => [m.name, m.address])).toEqual([
      ["m1", "198.51.100.11"],
      ["m2", "198.51.100.12"],
      ["m3", "198.51.100.13"],
    ]);
    for (const m of world.machines) {
      expect(await m.run(["hostname"])).toBe(`${m.name}\n`);
      expect(await m.run(["systemctl", "is-system-running"])).toMatch(/^(running|degraded)\n$/);
    }
    const ids = await Promise.all(world.machines.map((m) => m.readFile("/etc/machine-id")));
    expect(new Set(ids).size).toBe(3);
  });

  it("passes exit code, environment, stdin and stderr through exec, as a unit and directly", async () => {
    const argv = ["sh", "-c", 'read line; echo "$line $K"; echo oops >&2; exit 3'];
    for (const direct of [false, true]) {
      const result = await world.machine("m1").exec(argv, { env: { K: "V" }, stdin: "hi\n", direct });
      expect(result).toEqual({ exitCode: 3, stdout: "hi V\n", stderr: "oops\n" });
    }
  });

  it("connects every pair of machines over the underlay", async () => {
    for (const from of world.machines) {
      for (const to of world.machines.filter((m) => m !== from)) {
        const ping = await from.exec(["busybox", "ping", "-c", "1", "-W", "2", to.address]);
        expect(ping.exitCode, `${from.name} -> ${to.name}: ${ping.stdout}${ping.stderr}`).toBe(0);
      }
    }
  });

  it("has a usable /dev/net/tun for flanneld's UDP backend", async () => {
    const m = world.machine("m1");
    await m.run(["ip", "tuntap", "add", "dev", "worldtun0", "mode", "tun"]);
    expect(await m.run(["ip", "-o", "link", "show", "worldtun0"])).toContain("worldtun0");
    await m.run(["ip", "tuntap", "del", "dev", "worldtun0", "mode", "tun"]);
  });

  it("restarts a killed service that has Restart=always", async () => {
    const m = world.machine("m2");
    const unit = "[Service]\nExecStart=/bin/sleep infinity\nRestart=always\nRestartSec=100ms\n";
    await m.writeFile("/etc/systemd/system/world-sleeper.service", unit);
    await m.run(["systemctl", "daemon-reload"]);
    await m.run(["systemctl", "start", "world-sleeper"]);
    const first = await mainPid(m, "world-sleeper");
    await m.run(["kill", "-9", first]);
    const second = await waitFor("a new sleeper", 10_000, async () => {
      const pid = await mainPid(m, "world-sleeper");
      return pid !== first && pid !== "0" ? pid : undefined;
    });
    expect(second).not.toBe(first);
  });

  it("copies a tree into a machine", async () => {
    const dir = await mkdtemp(join(tmpdir(), "world-test-"));
    try {
      await writeFile(join(dir, "a.txt"), "alpha\n");
      await writeFile(join(dir, "run.sh"), "#!/bin/sh\necho ran\n", { mode: 0o755 });
      await world.machine("m3").copyIn(dir, "/var/lib/world-test/tree");
      await world.machine("m3").copyIn(join(dir, "run.sh"), "/usr/local/bin/world-run");
      expect(await world.machine("m3").readFile("/var/lib/world-test/tree/a.txt")).toBe("alpha\n");
      expect(await world.machine("m3").run(["world-run"])).toBe("ran\n");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("keeps a machine's disk across a reboot, but not its /run", async () => {
    const m = world.machine("m2");
    await m.writeFile("/var/lib/world-test/marker", "kept\n");
    await m.writeFile("/run/world-test-volatile", "gone\n");
    await m.reboot();
    expect(await m.readFile("/var/lib/world-test/marker")).toBe("kept\n");
    expect((await m.exec(["test", "-e", "/run/world-test-volatile"])).exitCode).toBe(1);
    expect(await m.run(["systemctl", "is-system-running"])).toMatch(/^(running|degraded)\n$/);
  });

  it("serves etcd to every machine, and stops and starts it", async () => {
    expect(world.etcd.endpoint).toBe("http://198.51.100.2:2379");
    expect((await world.etcdctl(["put", "/world-test", "hello"])).exitCode).toBe(0);
    for (const m of world.machines)
      expect(await readKeyFrom(m, world.etcd.endpoint, "/world-test")).toBe("hello\n");
    await world.etcd.stop();
    expect(
      (await readKeyFromResult(world.machine("m1"), world.etcd.endpoint, "/world-test")).exitCode,
    ).not.toBe(0);
    await world.etcd.start();
    expect(await readKeyFrom(world.machine("m1"), world.etcd.endpoint, "/world-test")).toBe("hello\n");
  });

  it("shapes a machine's underlay link: MTU, loss and rate", async () => {
    const [m1, m3] = [world.machine("m1"), world.machine("m3")];
    const ping = () => m1.exec(["busybox", "ping", "-c", "1", "-W", "1", m3.address]);
    await m3.setMtu(1400);
    expect(await m3.run(["cat", "/sys/class/net/eth0/mtu"])).toBe("1400\n");
    await m3.setLinkFaults({ lossPercent: 100, rateMbit: 10 });
    expect((await ping()).exitCode).not.toBe(0);
    await m3.setLinkFaults({ lossPercent: 0, rateMbit: 0 });
    await m3.setMtu(1500);
    expect((await ping()).exitCode).toBe(0);
  });

  it("tears down to the host state it found (namespaces, mounts, cgroups, processes)", async () => {
    // The same filter must see the running world, or an empty result below would prove nothing.
    const running = filterSnapshot(diffSnapshots(before, await takeSnapshot()), world.id, process.pid);
    expect(running.netns.length).toBeGreaterThan(0);
    expect(running.cgroups.length).toBeGreaterThan(0);
    expect(running.processes.length).toBeGreaterThan(0);
    await world.teardown();
    const left = filterSnapshot(diffSnapshots(before, await takeSnapshot()), world.id, process.pid);
    expect(left).toEqual({ netns: [], mounts: [], cgroups: [], processes: [] });
  });
});

describe("a world with etcd over TLS", () => {
  let world: World;

  beforeAll(async () => {
    world = await World.boot({ machines: 1, etcd: { tls: true }, docker: false });
  });

  afterAll(async () => {
    await world?.teardown();
  });

  it("serves https and accepts only clients with a certificate from its CA", async () => {
    expect(world.etcd.endpoint).toBe("https://198.51.100.2:2379");
    expect(world.etcd.tls?.ca).toContain("BEGIN CERTIFICATE");
    expect(world.etcd.tls?.key).toContain("PRIVATE KEY");
    expect((await world.etcdctl(["put", "/tls", "yes"])).exitCode).toBe(0);
    expect((await world.etcdctl(["get", "--print-value-only", "/tls"])).stdout).toBe("yes\n");
  });

  it("is reachable from a machine holding the client certificate, and not without it", async () => {
    const m = world.machine("m1");
    const tls = world.etcd.tls;
    if (!tls) throw new Error("world.etcd.tls is missing in TLS mode");
    for (const [name, pem] of Object.entries(tls)) await m.writeFile(`/var/lib/world-test/${name}.pem`, pem);
    const get = (withCert: string) => m.exec(["node", "-e", TLS_GET, world.etcd.endpoint, withCert]);
    const ok = await get("yes");
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('"health":"true"');
    expect((await get("no")).exitCode).not.toBe(0);
  });
});

async function mainPid(m: Machine, unit: string): Promise<string> {
  return (await m.run(["systemctl", "show", "--property=MainPID", "--value", unit])).trim();
}

// Node 18 in the machine speaks etcd's JSON gateway, so the check needs nothing the charm would not have.
const READ_KEY = `fetch(process.argv[1] + "/v3/kv/range", { method: "POST", body: JSON.stringify({ key: btoa(process.argv[2]) }) })
  .then((r) => r.json()).then((j) => console.log(atob(j.kvs[0].value)))`;

// GET /health over https with the CA, and the client cert and key only when argv[2] is "yes".
const TLS_GET = `const fs = require("node:fs"), read = (n) => fs.readFileSync("/var/lib/world-test/" + n + ".pem");
const cert = process.argv[2] === "yes" ? { cert: read("cert"), key: read("key") } : {};
require("node:https").get(process.argv[1] + "/health", { ca: read("ca"), ...cert }, (res) => res.pipe(process.stdout))
  .on("error", (e) => { console.error(e.message); process.exit(1); });`;

function readKeyFromResult(m: Machine, endpoint: string, key: string) {
  return m.exec(["node", "--no-warnings", "-e", READ_KEY, endpoint, key], { timeoutMs: 10_000 });
}

async function readKeyFrom(m: Machine, endpoint: string, key: string): Promise<string> {
  const result = await readKeyFromResult(m, endpoint, key);
  expect(result.exitCode, `${m.name}: ${result.stderr}`).toBe(0);
  return result.stdout;
}
