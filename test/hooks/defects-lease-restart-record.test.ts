import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertHooksSucceeded, CharmUnit, modernEtcdData } from "../support/charm-unit";
import { FLANNELD_BINARY } from "../support/paths";
import { worldDir } from "../world/leftovers";
import { runHost, waitFor } from "../world/run";
import type { TlsClient } from "../world/tls";
import { World } from "../world/world";

// Regression tests for issue 14, defects 1, 2 and 11, on one booted machine with real etcd (TLS), flanneld
// and systemd. The tests run in order and build on each other, as a deployment does.

const READY_STATUS = /^ready: subnet (10\.10\.\d+\.1\/24) mtu 1472 \(lxcbr0\)$/;
const EXPECTED_CONFIG = '{"Network":"10.10.0.0/16","SubnetLen":24,"Backend":{"Type":"udp"}}';
const ADDRESS = "198.51.100.11";
const RECORD = "/var/lib/flannel-charm/unit.json";
/** Found on the hooks' PATH before /usr/bin/systemctl. */
const WRAPPER = "/usr/local/sbin/systemctl";

let world: World;
let unit: CharmUnit;
let tls: TlsClient;
beforeAll(async () => {
  world = await World.boot({ machines: 1, docker: false, etcd: { tls: true } });
  tls = world.etcd.tls as TlsClient;
  unit = await CharmUnit.place(world.machine("m1"), { index: 0 });
  assertHooksSucceeded(await unit.deploy());
  assertHooksSucceeded(await unit.relateEtcd(etcdData(tls)));
  expect((await unit.status()).message).toMatch(READY_STATUS);
});
afterAll(async () => {
  await world?.teardown();
});

function etcdData(client: TlsClient) {
  return modernEtcdData(world.etcd.endpoint, client);
}

/** Another client certificate from the world's CA, as an etcd charm hands out when it rotates them. */
async function newClientCredentials(): Promise<TlsClient> {
  const ca = join(worldDir(world.id), "etcd", "tls");
  const dir = await mkdtemp(join(tmpdir(), "rotated-client-"));
  try {
    const [key, csr, cert, ext] = ["key", "csr", "crt", "ext"].map((suffix) => join(dir, `client.${suffix}`));
    const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    await runHost(["openssl", "req", ...newKey, "-keyout", key, "-out", csr, "-subj", "/CN=rotated"]);
    await runHost(["sh", "-c", 'echo extendedKeyUsage=clientAuth >"$1"', "sh", ext]);
    const signer = ["-CA", join(ca, "ca.crt"), "-CAkey", join(ca, "ca.key"), "-CAcreateserial"];
    await runHost([
      "openssl",
      "x509",
      "-req",
      "-in",
      csr,
      ...signer,
      "-out",
      cert,
      "-days",
      "2",
      "-extfile",
      ext,
    ]);
    return { ca: tls.ca, cert: await readFile(cert, "utf8"), key: await readFile(key, "utf8") };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function networkConfig() {
  const result = await world.etcdctl(["get", "/coreos.com/network/config", "--print-value-only"]);
  expect(result.exitCode).toBe(0);
  return result.stdout.trim();
}

/** The lease keys in etcd that carry this machine's address. */
async function ownLeases() {
  const result = await world.etcdctl(["get", "/coreos.com/network/subnets/", "--prefix"]);
  expect(result.exitCode).toBe(0);
  const lines = result.stdout.trim().split("\n");
  const keys: string[] = [];
  for (let i = 0; i + 1 < lines.length; i += 2) {
    if (JSON.parse(lines[i + 1]).PublicIP === ADDRESS) keys.push(lines[i]);
  }
  return keys;
}

async function flanneldPid() {
  return (await unit.machine.run(["systemctl", "show", "-P", "MainPID", "flannel"])).trim();
}

/** The binary the running flanneld was started from ("… (deleted)" once it was replaced on disk). */
async function flanneldExe() {
  return (await unit.machine.run(["readlink", `/proc/${await flanneldPid()}/exe`])).trim();
}

/** flanneld's command line as the running process has it. */
async function flanneldCmdline() {
  return (await unit.machine.readFile(`/proc/${await flanneldPid()}/cmdline`)).split("\0").join(" ");
}

async function expectReadyWithLease() {
  const status = await unit.status();
  expect(status.status).toBe("active");
  expect(status.message).toMatch(READY_STATUS);
  const subnet = READY_STATUS.exec(status.message)?.[1] ?? "";
  expect(await networkConfig()).toBe(EXPECTED_CONFIG);
  expect(await ownLeases()).toEqual([`/coreos.com/network/subnets/${subnet.replace(".1/24", ".0-24")}`]);
}

describe("issue 14 on a booted machine", () => {
  it("defect 1: a wiped etcd gets its network config back at the next hook, and the unit holds a lease again", async () => {
    const pid = await flanneldPid();
    expect((await world.etcdctl(["del", "--prefix", "/coreos.com/network"])).exitCode).toBe(0);
    // flanneld sees its lease revoked, exits and is restarted by systemd onto a prefix without a config.
    await waitFor("flanneld to restart after its lease was revoked", 60_000, async () => {
      const now = await flanneldPid();
      return now !== pid && now !== "0" ? now : undefined;
    });
    // The subnet.env of the revoked lease is still there; it must not read as ready.
    expect((await unit.health()).stdout.trim()).toMatch(/^not-ready .*reason:(flanneld-inactive|no-lease)$/);
    assertHooksSucceeded(await unit.updateStatus());
    await expectReadyWithLease();
  });

  it("defect 2: a new flanneld installed by a hook that stopped before the restart is started by the next hook", async () => {
    const before = await flanneldPid();
    expect(await flanneldExe()).toBe("/usr/local/bin/flanneld");
    const model = JSON.parse(await unit.machine.readFile("/var/lib/juju-emulator/model.json"));
    const resource: string = model.resources.flannel;
    // A different build of flanneld: the same program with one byte appended (ELF ignores trailing data).
    await unit.machine.copyIn(FLANNELD_BINARY, resource);
    await unit.machine.run(["sh", "-c", 'printf "\\n" >>"$1"', "sh", resource]);
    const relation = await unit.etcdRelationId();
    const hostile = JSON.stringify({ hostname: "etcd; rm -rf /", port: "2379" });
    assertHooksSucceeded(
      await unit.operate("remote-joins", "--relation-id", relation, "--unit", "etcd/1", "--data", hostile),
    );
    expect((await unit.status()).status).toBe("blocked");
    // The new binary is in place, but the hook stopped before restarting flanneld.
    expect(await flanneldPid()).toBe(before);
    expect(await flanneldExe()).toBe("/usr/local/bin/flanneld (deleted)");
    assertHooksSucceeded(await unit.operate("remote-departs", "--relation-id", relation, "--unit", "etcd/1"));
    expect(await flanneldExe()).toBe("/usr/local/bin/flanneld");
    expect(await flanneldPid()).not.toBe(before);
    await expectReadyWithLease();
    const pid = await flanneldPid();
    assertHooksSucceeded(await unit.updateStatus());
    expect(await flanneldPid()).toBe(pid);
  });

  it("defect 2: a unit file written by a hook whose daemon-reload failed is applied by the retried hook", async () => {
    const before = await flanneldPid();
    expect(await flanneldCmdline()).toContain("--ip-masq");
    // systemd's reload fails (as a timed-out one does) after the charm wrote the new unit file.
    const failingReload =
      '#!/bin/sh\nif [ "$1" = daemon-reload ]; then echo "Failed to reload daemon: Connection timed out" >&2; exit 1; fi\n' +
      'exec /usr/bin/systemctl "$@"\n';
    await unit.machine.writeFile(WRAPPER, failingReload, 0o755);
    try {
      const result = await unit.configure({ "ip-masq": false });
      expect(result.error?.hook).toBe("config-changed");
    } finally {
      await unit.machine.run(["rm", "-f", WRAPPER]);
    }
    expect(await unit.machine.readFile("/etc/systemd/system/flannel.service")).not.toContain("--ip-masq");
    expect(await flanneldPid()).toBe(before);
    assertHooksSucceeded(await unit.operate("resolve"));
    expect(await flanneldPid()).not.toBe(before);
    expect(await flanneldCmdline()).not.toContain("--ip-masq");
    await expectReadyWithLease();
  });

  it("defect 2: etcd credentials rotated by a hook that stopped before the restart are loaded by the next hook", async () => {
    const before = await flanneldPid();
    const relation = await unit.etcdRelationId();
    assertHooksSucceeded(await unit.configure({ iface: "nosuch0" }));
    expect((await unit.status()).status).toBe("blocked");
    const rotated = await newClientCredentials();
    const data = JSON.stringify(etcdData(rotated)["etcd/0"]);
    assertHooksSucceeded(
      await unit.operate("remote-change", "--relation-id", relation, "--unit", "etcd/0", "--data", data),
    );
    // The new credentials are on disk, but the hook stopped (bad iface) before restarting flanneld.
    expect((await unit.status()).status).toBe("blocked");
    expect(await unit.machine.readFile("/etc/flannel/etcd-cert.pem")).toBe(rotated.cert);
    expect(await flanneldPid()).toBe(before);
    assertHooksSucceeded(await unit.operate("config", "iface="));
    expect(await flanneldPid()).not.toBe(before);
    await expectReadyWithLease();
    tls = rotated;
  });

  it("defect 11: an empty unit record blocks the unit, naming the file and the fix, until it is deleted", async () => {
    const pid = await flanneldPid();
    await unit.machine.writeFile(RECORD, "");
    assertHooksSucceeded(await unit.updateStatus());
    expect(await unit.status()).toEqual({
      status: "blocked",
      message:
        `the unit record ${RECORD} is empty: check that network, subnet-len, backend and etcd-prefix are ` +
        `what this unit joined with, then delete ${RECORD} (the next hook rebuilds it)`,
    });
    expect(await unit.machine.readFile(RECORD)).toBe("");
    expect((await unit.health()).stdout.trim()).toMatch(/^not-ready .*reason:blocked$/);
    expect(await flanneldPid()).toBe(pid);
    await unit.machine.run(["rm", RECORD]);
    assertHooksSucceeded(await unit.updateStatus());
    await expectReadyWithLease();
    expect(JSON.parse(await unit.machine.readFile(RECORD)).joined.network).toBe("10.10.0.0/16");
  });

  it("defect 1: relating again to an etcd that lost its data writes the config; the stale lease file never reads as ready", async () => {
    assertHooksSucceeded(await unit.operate("unrelate", "--relation-id", await unit.etcdRelationId()));
    expect((await unit.machine.exec(["systemctl", "is-active", "flannel"])).stdout.trim()).toBe("inactive");
    // flanneld's subnet.env stays behind in /run; etcd forgets the network.
    expect(await unit.machine.readFile("/run/flannel/subnet.env")).toContain("FLANNEL_SUBNET=");
    expect((await world.etcdctl(["del", "--prefix", "/coreos.com/network"])).exitCode).toBe(0);
    assertHooksSucceeded(await unit.relateEtcd(etcdData(tls)));
    await expectReadyWithLease();
  });
});
