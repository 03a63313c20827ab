import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certFingerprint as fingerprintOf } from "../../src/etcd/cert-fingerprint";
import { assertHooksSucceeded, type CharmUnit } from "../support/charm-unit";
import { CharmedEtcd, etcdctlAsFlannel } from "../support/charmed-etcd";
import {
  type Container,
  deployUnits,
  E2E_TIMEOUT_MS,
  etcdUnitsFor,
  ping,
  startLxcContainer,
  subnetOf,
  waitReady,
} from "../support/overlay";
import { PeerMesh } from "../support/peer-mesh";
import type { World } from "../world/world";

// flannel related to Charmed etcd's etcd-client endpoint, played on a real 3-member TLS etcd with
// client-certificate auth and RBAC. Tests run in order and build on each other, as a deployment does.

const PREFIX = "/coreos.com/network/";

const flanneldPid = (unit: CharmUnit) =>
  unit.machine.run(["systemctl", "show", "-p", "MainPID", "--value", "flannel"]);

describe("flannel on Charmed etcd (etcd-client, 3 TLS members, RBAC)", { timeout: E2E_TIMEOUT_MS }, () => {
  let world: World;
  let provider: CharmedEtcd;
  let units: CharmUnit[];
  let subnets: string[];
  const containers: Container[] = [];

  beforeAll(async () => {
    ({ world, provider } = await CharmedEtcd.boot(3, 3));
  });
  afterAll(async () => {
    await world?.teardown();
  });

  const asFlannel = (args: string[], dir?: string) => etcdctlAsFlannel(world, args, dir);

  it("every unit becomes ready and containers ping across hosts", async () => {
    units = await deployUnits(world, "lxc");
    await provider.relate(units);
    expect(provider.refusals).toEqual([]);
    const lines = await waitReady(units);
    subnets = lines.map(subnetOf);
    expect(new Set(subnets).size).toBe(3);
    for (const [i, unit] of units.entries())
      containers.push(await startLxcContainer(unit.machine, `c${i + 1}`));
    const [a, b, c] = containers as [Container, Container, Container];
    expect((await ping(a, b.address, 3)).replies).toBe(3);
    expect((await ping(b, c.address, 3)).replies).toBe(3);
  });

  it("flannel's certificate reads and writes under the prefix and is refused outside it", async () => {
    expect((await asFlannel(["put", `${PREFIX}probe`, "x"])).exitCode).toBe(0);
    expect((await asFlannel(["get", `${PREFIX}config`])).stdout).toContain('"Network":"10.10.0.0/16"');
    const outside = await asFlannel(["put", "/elsewhere/probe", "x"]);
    expect(outside.exitCode).not.toBe(0);
    expect(outside.stderr).toMatch(/permission denied/);
    expect((await asFlannel(["del", `${PREFIX}probe`])).exitCode).toBe(0);
  });

  it("no key material in a status, a log, a process argument or a world-readable file", async () => {
    for (const unit of units) {
      const model = await unit.readModel();
      const key = await unit.machine.readFile("/etc/flannel/etcd-key.pem");
      const body = key.split("\n")[1] ?? "";
      expect(body.length).toBeGreaterThan(20);
      const text = JSON.stringify([model.unitStatus, model.statusHistory, model.logs]);
      expect(text).not.toContain(body);
      // The needle comes on stdin: in the checker's own argv it would find itself.
      const script =
        'p=$(cat); grep -lF -- "$p" /proc/[0-9]*/cmdline 2>/dev/null; ' +
        'find /etc/flannel /var/lib/juju /var/lib/juju-emulator -type f -perm /044 -exec grep -lF -- "$p" {} + 2>/dev/null; true';
      const found = await unit.machine.exec(["sh", "-c", script], { stdin: body });
      expect(found.stdout.trim()).toBe("");
    }
  });

  it("a CA certificate and a common name already in use are refused, as Charmed etcd does", async () => {
    const { refusalOf } = await import("../support/charmed-etcd");
    const ca = (await import("node:fs/promises")).readFile(world.etcd.files?.caFile ?? "", "utf8");
    expect(refusalOf(await ca)).toBe("a CA certificate is refused");
    // A second requirer whose certificate carries a common name etcd already has a user for: refused,
    // and nothing of the first one's is touched (its user, its role, every unit still ready).
    const commonName = provider.commonName ?? "";
    const roleBefore = await world.etcdctl(["role", "get", commonName]);
    const second = new CharmedEtcd(world);
    await second.answer(units);
    expect(second.refusals).toEqual([`user ${commonName} already exists`]);
    expect((await world.etcdctl(["role", "get", commonName])).stdout).toBe(roleBefore.stdout);
    expect(await Promise.all(units.map(async (unit) => (await unit.status()).status))).toEqual([
      "active",
      "active",
      "active",
    ]);
  });

  it("the provider's CA rotated through a new secret revision: units follow, same subnets, no hook error", async () => {
    const { readFile } = await import("node:fs/promises");
    const { createTls } = await import("../world/tls");
    const files = world.etcd.files;
    if (!files) throw new Error("tls expected");
    const fresh = await createTls(`${files.caFile}.rotated`, [
      "198.51.100.2",
      "198.51.100.3",
      "198.51.100.4",
      "127.0.0.1",
    ]);
    const bundle = `${(await readFile(files.caFile, "utf8")).trimEnd()}\n${await readFile(fresh.caFile, "utf8")}`;
    // Clients first trust both CAs, then the members move to certificates of the new one.
    await provider.publishCa(units, bundle);
    const { writeFile, copyFile } = await import("node:fs/promises");
    await writeFile(files.caFile, bundle, { mode: 0o600 });
    if (world.etcd.tls) world.etcd.tls = { ...world.etcd.tls, ca: bundle };
    await copyFile(fresh.serverCertFile, files.serverCertFile);
    await copyFile(fresh.serverKeyFile, files.serverKeyFile);
    // The members' own gateway connects with the server certificate: trust both CAs, then restart.
    await provider.refreshTrust();
    for (const unit of units) assertHooksSucceeded(await unit.updateStatus(), `${unit.name} update-status`);
    const lines = await waitReady(units);
    expect(lines.map(subnetOf)).toEqual(subnets);
    const ca = await units[0]?.machine.readFile("/etc/flannel/etcd-ca.pem");
    expect(ca).toContain((await readFile(fresh.caFile, "utf8")).trim());
  });

  it("the client certificate renewed at its secret's expiry: etcd trusts the new one, units switch one per round", async () => {
    const leader = units[0] as CharmUnit;
    const mesh = new PeerMesh();
    await mesh.join(...units);
    const certOf = async (unit: CharmUnit) =>
      (await unit.machine.readFile("/etc/flannel/etcd-cert.pem")).trim();
    const oldCert = await certOf(leader);
    await leader.machine.run([
      "sh",
      "-c",
      "mkdir -p /var/lib/old-tls && cp /etc/flannel/etcd-*.pem /var/lib/old-tls/",
    ]);
    const pidsBefore = await Promise.all(units.map(flanneldPid));
    const appSecret = (await leader.readModel()).secrets?.find((s) => s.label === "flannel-etcd-client");
    if (!appSecret) throw new Error("the leader has no flannel-etcd-client secret");
    const revisionBefore = appSecret.revisions.at(-1)?.revision ?? 0;

    // Juju fires secret-expired at the expire time the leader set (the renewal time) on the leader.
    const expired = await leader.secretExpired(`secret:${appSecret.id}`);
    assertHooksSucceeded(expired, "secret-expired");
    const after = await leader.readModel();
    const renewed = after.secrets?.find((s) => s.id === appSecret.id);
    expect(renewed?.revisions.at(-1)?.revision).toBe(revisionBefore + 1);
    const newCert = Buffer.from(renewed?.revisions.at(-1)?.content.cert ?? "", "base64")
      .toString()
      .trim();
    expect(newCert).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(newCert).not.toBe(oldCert);
    const mtls = after.secrets?.find((s) => s.revisions.some((r) => r.content["mtls-cert"]));
    expect(Buffer.from(mtls?.revisions.at(-1)?.content["mtls-cert"] ?? "", "base64").toString()).toBe(
      newCert,
    );
    // etcd does not trust the new certificate yet: the leader keeps its files, its flanneld and its status.
    const said = after.logs.filter((log) => log.hook === "secret-expired").map((log) => log.message);
    expect(said).toContainEqual(expect.stringMatching(/^renewed the etcd client certificate for flannel\./));
    expect(said).toContainEqual(
      expect.stringMatching(
        /^etcd does not accept the renewed client certificate yet \(.*\); keeping the old one$/,
      ),
    );
    expect(await certOf(leader)).toBe(oldCert);
    expect(await flanneldPid(leader)).toBe(pidsBefore[0]);
    expect((await leader.status()).status).toBe("active");

    // The controller hands the new revision to the other units; Charmed etcd re-trusts (secret-changed).
    await provider.shareAppSecret(leader, units.slice(1));
    await provider.mtlsCertChanged(units);
    expect(provider.refusals).toEqual([]);

    const restartsPerRound: number[] = [];
    let pids = await Promise.all(units.map(flanneldPid));
    for (let round = 0; round < 12; round++) {
      for (const unit of units) assertHooksSucceeded(await unit.updateStatus(), `${unit.name} update-status`);
      await mesh.deliverOnce();
      // Waiting, switching or switched: every unit stays ready throughout.
      for (const unit of units) expect((await unit.status()).status).toBe("active");
      const now = await Promise.all(units.map(flanneldPid));
      restartsPerRound.push(now.filter((pid, i) => pid !== pids[i]).length);
      pids = now;
      const certs = await Promise.all(units.map(certOf));
      if (certs.every((cert) => cert === newCert) && !(await mesh.deliverOnce())) break;
    }
    console.log(`certificate renewal: flanneld restarts per round ${restartsPerRound.join(" ")}`);
    expect(Math.max(...restartsPerRound)).toBe(1);
    expect(restartsPerRound.reduce((a, b) => a + b, 0)).toBe(3);
    for (const unit of units) expect(await certOf(unit)).toBe(newCert);
    const lines = await waitReady(units);
    expect(lines.map(subnetOf)).toEqual(subnets);
    for (const unit of units) {
      const model = await unit.readModel();
      expect(model.error).toBeNull();
      expect(model.unitStatus).toEqual({
        status: "active",
        message: expect.stringMatching(/^ready: subnet /),
      });
      const overlay = model.relations.find((r) => r.name === "overlay");
      expect(overlay?.localUnitData["client-cert"]).toBe(fingerprintOf(newCert));
    }
    expect((await leader.readModel()).appStatus.message).toBe("3/3 units on 10.10.0.0/16 (udp)");
    // The new certificate works under the prefix only; the old one is no longer trusted.
    expect((await asFlannel(["put", `${PREFIX}probe`, "y"])).exitCode).toBe(0);
    expect((await asFlannel(["put", "/elsewhere/probe", "y"])).stderr).toMatch(/permission denied/);
    expect((await asFlannel(["del", `${PREFIX}probe`])).exitCode).toBe(0);
    const withOld = await asFlannel(["get", `${PREFIX}config`], "/var/lib/old-tls");
    expect(withOld.exitCode).not.toBe(0);
    await leader.machine.run(["rm", "-rf", "/var/lib/old-tls"]);
    // No key material in statuses or logs.
    for (const unit of units) {
      const model = await unit.readModel();
      const key = await unit.machine.readFile("/etc/flannel/etcd-key.pem");
      const body = key.split("\n")[1] ?? "";
      expect(body.length).toBeGreaterThan(20);
      expect(
        JSON.stringify([model.unitStatus, model.appStatus, model.statusHistory, model.logs]),
      ).not.toContain(body);
    }
  });

  it("related to both etcd endpoints: blocked naming the relation to remove; removing the classic one brings it back", async () => {
    const unit = units[0] as CharmUnit;
    assertHooksSucceeded(await unit.relateEtcd(etcdUnitsFor(world, "modern-tls")), "relate classic etcd");
    expect(await unit.status()).toEqual({
      status: "blocked",
      message:
        "related to both etcd (classic) and etcd-client (Charmed etcd): remove one, " +
        "'juju remove-relation flannel:etcd etcd' or 'juju remove-relation flannel:etcd-client charmed-etcd'",
    });
    assertHooksSucceeded(await unit.operate("unrelate", "--relation-id", await unit.etcdRelationId()));
    const [line] = await waitReady([unit]);
    expect(subnetOf(line ?? "")).toBe(subnets[0]);
  });

  it("relation removed: the user is gone from etcd, units wait, no key material left; classic etcd works again", async () => {
    const commonName = provider.commonName ?? "";
    await provider.unrelate(units);
    const users = await world.etcdctl(["user", "list"]);
    expect(users.stdout).not.toContain(commonName);
    for (const unit of units) {
      expect((await unit.status()).status).toBe("waiting");
      const left = await unit.machine.exec(["sh", "-c", "ls /etc/flannel/etcd-*.pem 2>/dev/null; true"]);
      expect(left.stdout.trim()).toBe("");
      expect((await unit.machine.exec(["systemctl", "is-active", "flannel"])).stdout.trim()).not.toBe(
        "active",
      );
    }
    for (const unit of units)
      assertHooksSucceeded(
        await unit.relateEtcd(etcdUnitsFor(world, "modern-tls")),
        `${unit.name} relate etcd`,
      );
    const lines = await waitReady(units);
    expect(lines.map(subnetOf)).toEqual(subnets);
  });
});
