import { createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertHooksSucceeded, CharmUnit, modernEtcdData, type OperationResult } from "../support/charm-unit";
import { FLANNELD_BINARY } from "../support/paths";
import { runHost } from "../world/run";
import type { TlsClient } from "../world/tls";
import { World } from "../world/world";

// Hostile or unusual input on real booted machines (TLS etcd, flanneld, systemd): every hook exits 0
// and the unit says what is wrong in a bounded status that never shows a secret (issue 14).

const MODEL = "/var/lib/juju-emulator/model.json";
const ETCD_URL = "https://198.51.100.2:2379";
const PASSWORD = "s3cret-pw";
const TLS_FILES = ["/etc/flannel/etcd-ca.pem", "/etc/flannel/etcd-cert.pem", "/etc/flannel/etcd-key.pem"];

let world: World;
let tls: TlsClient;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hostile-inputs-"));
  world = await World.boot({ machines: 3, docker: false, etcd: { tls: true } });
  tls = world.etcd.tls as TlsClient;
});
afterAll(async () => {
  await world?.teardown();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function model(unit: CharmUnit) {
  return JSON.parse(await unit.machine.readFile(MODEL));
}

function relationId(unit: CharmUnit) {
  return unit.etcdRelationId();
}

async function changeEtcdData(unit: CharmUnit, data: Record<string, string>) {
  const id = await relationId(unit);
  const args = ["--relation-id", id, "--unit", "etcd/0", "--data", JSON.stringify(data)];
  return unit.operate("remote-change", ...args);
}

async function flanneldPid(unit: CharmUnit) {
  return (await unit.machine.run(["systemctl", "show", "-P", "MainPID", "flannel"])).trim();
}

/** Attaches a new revision of the `flannel` resource, as `juju attach-resource` does. */
async function attachResource(unit: CharmUnit, hostPath: string) {
  const path =
    (await model(unit)).resources.flannel ??
    `/var/lib/juju/agents/unit-flannel-${unit.index}/resources/flannel/flanneld`;
  await unit.machine.copyIn(hostPath, path);
  const text = await unit.machine.readFile(MODEL);
  const updated = JSON.parse(text);
  updated.resources = { ...updated.resources, flannel: path };
  await unit.machine.writeFile(MODEL, `${JSON.stringify(updated, null, 2)}\n`);
}

function logsOf(result: OperationResult) {
  return result.hooks.flatMap((hook) => hook.diff.logs.map((log) => log.message));
}

describe("a unit given hostile etcd relation data", () => {
  let unit: CharmUnit;

  it("defect 4: user info in connection_string blocks, and the password is in no status, log or file", async () => {
    unit = await CharmUnit.place(world.machine("m1"), { index: 0 });
    assertHooksSucceeded(await unit.deploy());
    const url = `https://root:${PASSWORD}@198.51.100.2:2379`;
    const result = await unit.relateEtcd(modernEtcdData(url, tls));
    assertHooksSucceeded(result);
    const status = await unit.status();
    expect(status.status).toBe("blocked");
    expect(status.message).toMatch(/connection_string.*user info/);
    expect(JSON.stringify(result.hooks)).not.toContain(PASSWORD);
    const { statusHistory, logs } = await model(unit);
    expect(JSON.stringify({ statusHistory, logs })).not.toContain(PASSWORD);
    const files = await unit.machine.exec([
      "grep",
      "-rl",
      "--",
      PASSWORD,
      "/var/lib/flannel-charm",
      "/etc/flannel",
      "/etc/systemd/system",
      "/etc/default/lxc-net",
    ]);
    expect(files.stdout).toBe("");
  });

  it("defect 5: a key of another certificate blocks naming client_key; the running flanneld keeps its files", async () => {
    assertHooksSucceeded(await changeEtcdData(unit, modernEtcdData(ETCD_URL, tls)["etcd/0"] ?? {}));
    expect((await unit.status()).status).toBe("active");
    const pid = await flanneldPid(unit);
    const before = await unit.machine.run(["md5sum", ...TLS_FILES]);
    await runHost([
      "openssl",
      "genpkey",
      "-algorithm",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-out",
      join(dir, "other.key"),
    ]);
    const otherKey = await readFile(join(dir, "other.key"), "utf8");
    const cases: [Partial<TlsClient>, RegExp][] = [
      [{ key: otherKey }, /client_key that does not match client_cert/],
      [
        { cert: "-----BEGIN CERTIFICATE-----\nY2xpZW50Y2VydA==\n-----END CERTIFICATE-----\n" },
        /client_cert that is not a valid certificate/,
      ],
    ];
    for (const [bad, message] of cases) {
      const result = await changeEtcdData(unit, modernEtcdData(ETCD_URL, { ...tls, ...bad })["etcd/0"] ?? {});
      assertHooksSucceeded(result, `relation data with a bad ${Object.keys(bad)[0]}`);
      const status = await unit.status();
      expect(status.status).toBe("blocked");
      expect(status.message).toMatch(message);
      expect(status.message).not.toContain("BEGIN");
      expect(await unit.machine.run(["md5sum", ...TLS_FILES])).toBe(before);
      expect(await flanneldPid(unit)).toBe(pid);
    }
  });
});

describe("a ready unit given an unusable etcd URL", () => {
  it("defect 10: an IPv6 zone id in an etcd URL blocks naming connection_string instead of failing the hook", async () => {
    const unit = await CharmUnit.place(world.machine("m3"), { index: 2 });
    assertHooksSucceeded(await unit.deploy());
    assertHooksSucceeded(await unit.relateEtcd(modernEtcdData(ETCD_URL, tls)));
    expect((await unit.status()).status).toBe("active");
    const zoned = modernEtcdData("https://[fe80::1%eth0]:2379", tls)["etcd/0"] ?? {};
    assertHooksSucceeded(await changeEtcdData(unit, zoned));
    const status = await unit.status();
    expect(status.status).toBe("blocked");
    expect(status.message).toMatch(/connection_string.*zone id/);
    expect(await unit.machine.readFile("/etc/systemd/system/flannel.service")).not.toContain("fe80");
  });
});

// Each test places its own unit, so one that fails leaves the next one a unit not in error.
describe("a unit given a hostile or unusable flanneld", () => {
  it("defect 10: a non-executable flanneld on the machine, with no resource attached, blocks", async () => {
    const unit = await CharmUnit.place(world.machine("m2"), { index: 1, resource: false });
    await unit.machine.copyIn(FLANNELD_BINARY, "/usr/local/bin/flanneld");
    await unit.machine.run(["chmod", "0644", "/usr/local/bin/flanneld"]);
    assertHooksSucceeded(await unit.deploy());
    const status = await unit.status();
    expect(status.status).toBe("blocked");
    expect(status.message).toMatch(
      /^\/usr\/local\/bin\/flanneld is not a usable flanneld .*juju attach-resource/,
    );
  });

  it("defect 3: a decompression bomb blocks, is not read again by update-status, and a new resource clears it", async () => {
    const bomb = join(dir, "bomb.tar.gz");
    await pipeline(
      Readable.from(bombTar(600 * 1024 * 1024)),
      createGzip({ level: 1 }),
      createWriteStream(bomb),
    );
    const unit = await CharmUnit.place(world.machine("m2"), { index: 3, resource: bomb });
    const first = await unit.deploy();
    assertHooksSucceeded(first);
    const status = await unit.status();
    expect(status.status).toBe("blocked");
    expect(status.message).toMatch(
      /flanneld in the archive is 629145600 bytes; a flanneld is 1 MiB to 512 MiB/,
    );
    expect(logsOf(first).filter((m) => m.includes("was not installed"))).toHaveLength(1);
    const stage = await unit.machine.exec(["sh", "-c", "ls -a /usr/local/bin | grep -c stage"]);
    expect(stage.stdout.trim()).toBe("0");
    const again = await unit.updateStatus();
    assertHooksSucceeded(again);
    expect(await unit.status()).toEqual(status);
    expect(logsOf(again).filter((m) => m.includes("was not installed"))).toEqual([]);
    await attachResource(unit, FLANNELD_BINARY);
    assertHooksSucceeded(await unit.operate("upgrade-charm"));
    expect(await unit.status()).toEqual({
      status: "blocked",
      message:
        "needs an etcd relation: run 'juju integrate flannel etcd' or 'juju integrate flannel charmed-etcd'",
    });
  });

  it("defect 10: a huge value already at <prefix>/config blocks with a bounded message", async () => {
    const huge = JSON.stringify({ Network: "10.99.0.0/16", Note: "x".repeat(200 * 1024) });
    const put = await world.etcdctl(["put", "/huge/network/config"], huge);
    expect(put.exitCode, put.stderr).toBe(0);
    const unit = await CharmUnit.place(world.machine("m2"), {
      index: 4,
      config: { "etcd-prefix": "/huge/network" },
    });
    assertHooksSucceeded(await unit.deploy());
    assertHooksSucceeded(await unit.relateEtcd(modernEtcdData(ETCD_URL, tls)));
    const status = await unit.status();
    expect(status.status).toBe("blocked");
    expect(status.message).toMatch(/^etcd already holds \{"Network":"10\.99\.0\.0\/16","Note":"xxx/);
    expect(status.message.length).toBeLessThanOrEqual(400);
    const state = JSON.parse(await unit.machine.readFile("/var/lib/flannel-charm/state.json"));
    expect(state.blocked).toBe(status.message);
  });
});

// A tar whose only member, flanneld, starts like an ELF and is `size` bytes of zeros after that.
async function* bombTar(size: number) {
  const header = Buffer.alloc(512);
  header.write("flanneld", 0);
  header.write("0000755\0", 100);
  header.write("0000000\0", 108);
  header.write("0000000\0", 116);
  header.write(`${size.toString(8).padStart(11, "0")}\0`, 124);
  header.write("00000000000\0", 136);
  header.write("        ", 148);
  header.write("0", 156);
  header.write("ustar\u000000", 257, "latin1");
  const sum = header.reduce((total, byte) => total + byte, 0);
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  yield header;
  yield Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
  const chunk = Buffer.alloc(1024 * 1024);
  for (let left = size - 4; left > 0; left -= chunk.length)
    yield left >= chunk.length ? chunk : chunk.subarray(0, left);
  yield Buffer.alloc(1024);
}
