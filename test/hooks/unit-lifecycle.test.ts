import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertHooksSucceeded, CharmUnit, legacyEtcdData, modernEtcdData } from "../support/charm-unit";
import { World } from "../world/world";

// A unit's life on a real booted machine: real etcd, real flanneld, real systemd and lxc-net.
// Tests in this file run in order and build on each other, as a deployment does.

const READY_STATUS = /^ready: subnet (10\.10\.\d+\.1\/24) mtu 1472 \(lxcbr0\)$/;
const EXPECTED_CONFIG = '{"Network":"10.10.0.0/16","SubnetLen":24,"Backend":{"Type":"udp"}}';

let world: World;
beforeAll(async () => {
  world = await World.boot({ machines: 3, docker: false });
});
afterAll(async () => {
  await world?.teardown();
});

async function etcdGet(key: string, ...flags: string[]) {
  const result = await world.etcdctl(["get", key, ...flags]);
  expect(result.exitCode).toBe(0);
  return result.stdout.trim();
}

async function leaseKeysOf(address: string) {
  const listing = (await etcdGet("/coreos.com/network/subnets/", "--prefix")).split("\n");
  const keys: string[] = [];
  for (let i = 0; i + 1 < listing.length; i += 2) {
    if (JSON.parse(listing[i + 1]).PublicIP === address) keys.push(listing[i]);
  }
  return keys;
}

/** Unary KV calls (Range, Txn, Put, DeleteRange) etcd has started so far, from its own metrics. */
async function etcdKvCalls() {
  const netns = `/run/netns/fcw-${world.id}-etcd`;
  const url = `${world.etcd.endpoint}/metrics`;
  const { stdout } = await execa("nsenter", [`--net=${netns}`, "--", "busybox", "wget", "-qO-", url]);
  return stdout
    .split("\n")
    .filter(
      (line) =>
        line.startsWith("grpc_server_started_total{") && line.includes('grpc_service="etcdserverpb.KV"'),
    )
    .reduce((sum, line) => sum + Number(line.split(" ").pop()), 0);
}

async function flanneldPid(unit: CharmUnit) {
  return (await unit.machine.run(["systemctl", "show", "-P", "MainPID", "flannel"])).trim();
}

async function fingerprint(unit: CharmUnit, paths: string[]) {
  return unit.machine.run([
    "sh",
    "-c",
    'for f in "$@"; do stat -c "%n %Y %s" "$f"; md5sum "$f"; done',
    "-",
    ...paths,
  ]);
}

describe("a unit on a booted machine", () => {
  let unit: CharmUnit;
  let subnet: string;
  let originalLxcNet: string;

  it("blocks until related to etcd, saying what to run", async () => {
    unit = await CharmUnit.place(world.machine("m1"), { index: 0 });
    originalLxcNet = await unit.machine.readFile("/etc/default/lxc-net");
    assertHooksSucceeded(await unit.deploy());
    expect(await unit.status()).toEqual({
      status: "blocked",
      message:
        "needs an etcd relation: run 'juju integrate flannel etcd' or 'juju integrate flannel charmed-etcd'",
    });
    const health = await unit.health();
    expect(health.stdout.trim()).toMatch(/^not-ready .*reason:(no-etcd-relation|blocked)$/);
    expect(health.exitCode).toBe(1);
  });

  it("writes the network config once and holds a lease over a 2014-style relation", async () => {
    assertHooksSucceeded(await unit.relateEtcd(legacyEtcdData("198.51.100.2", 2379)));
    const status = await unit.status();
    expect(status.status).toBe("active");
    expect(status.message).toMatch(READY_STATUS);
    subnet = READY_STATUS.exec(status.message)?.[1] ?? "";
    expect(await etcdGet("/coreos.com/network/config", "--print-value-only")).toBe(EXPECTED_CONFIG);
    expect(await leaseKeysOf("198.51.100.11")).toEqual([
      `/coreos.com/network/subnets/${subnet.replace(".1/24", ".0-24")}`,
    ]);
  });

  it("reports ready in ./health, and lxcbr0 really holds the lease", async () => {
    const health = await unit.health();
    const address = subnet.split("/")[0];
    expect(health.stdout.trim()).toBe(`ready lxcbr:${address} subnet:${subnet} mtu:1472`);
    expect(health.exitCode).toBe(0);
    const link = JSON.parse(await unit.machine.run(["ip", "-j", "addr", "show", "dev", "lxcbr0"]))[0];
    expect(link.mtu).toBe(1472);
    expect(
      link.addr_info.map((a: { local: string; prefixlen: number }) => `${a.local}/${a.prefixlen}`),
    ).toContain(subnet);
  });

  it("runs flanneld from a unit that systemd accepts, with forwarding on and the UDP port opened", async () => {
    const machine = unit.machine;
    const verify = await machine.exec(["systemd-analyze", "verify", "/etc/systemd/system/flannel.service"]);
    expect(verify.stderr).toBe("");
    expect(verify.exitCode).toBe(0);
    expect((await machine.readFile("/proc/sys/net/ipv4/ip_forward")).trim()).toBe("1");
    expect(await machine.readFile("/etc/sysctl.d/60-flannel.conf")).toContain("net.ipv4.ip_forward = 1");
    const model = JSON.parse(await machine.readFile("/var/lib/juju-emulator/model.json"));
    expect(model.ports).toEqual(["8285/udp"]);
    expect(model.applicationVersion).toBe("v0.28.9");
  });

  it("changes nothing when hooks run again: no restart, byte-identical files", async () => {
    const files = ["/etc/systemd/system/flannel.service", "/etc/default/lxc-net", "/usr/local/bin/flanneld"];
    const before = [await flanneldPid(unit), await fingerprint(unit, files)];
    assertHooksSucceeded(await unit.updateStatus());
    assertHooksSucceeded(await unit.operate("upgrade-charm"));
    expect([await flanneldPid(unit), await fingerprint(unit, files)]).toEqual(before);
  });

  it("asks etcd nothing in a no-op config-changed, and one transaction in update-status", async () => {
    const before = await etcdKvCalls();
    assertHooksSucceeded(await unit.operate("config"));
    const afterConfigChanged = await etcdKvCalls();
    assertHooksSucceeded(await unit.updateStatus());
    const afterUpdateStatus = await etcdKvCalls();
    expect([afterConfigChanged - before, afterUpdateStatus - afterConfigChanged]).toEqual([0, 1]);
    expect((await unit.status()).message).toBe(`ready: subnet ${subnet} mtu 1472 (lxcbr0)`);
  });

  it("refuses a change to the network, and clears the block when it is set back", async () => {
    const pid = await flanneldPid(unit);
    assertHooksSucceeded(await unit.configure({ network: "10.20.0.0/16" }));
    expect(await unit.status()).toEqual({
      status: "blocked",
      message: "network is fixed after deploy; set network back to 10.10.0.0/16",
    });
    expect(await etcdGet("/coreos.com/network/config", "--print-value-only")).toBe(EXPECTED_CONFIG);
    assertHooksSucceeded(await unit.operate("config", "network="));
    expect((await unit.status()).message).toBe(`ready: subnet ${subnet} mtu 1472 (lxcbr0)`);
    expect(await flanneldPid(unit)).toBe(pid);
  });

  it("applies an ip-masq change: flanneld restarts without --ip-masq and the subnet is never masqueraded", async () => {
    const pid = await flanneldPid(unit);
    assertHooksSucceeded(await unit.configure({ "ip-masq": false }));
    expect((await unit.status()).message).toBe(`ready: subnet ${subnet} mtu 1472 (lxcbr0)`);
    expect(await unit.machine.readFile("/etc/systemd/system/flannel.service")).not.toContain("--ip-masq");
    expect(await flanneldPid(unit)).not.toBe(pid);
    const network = subnet.replace(".1/24", ".0/24");
    const nat = (await unit.machine.run(["iptables", "-t", "nat", "-S", "POSTROUTING"])).split("\n");
    expect(
      nat.filter(
        (rule) => rule.includes(`-s ${network} `) && !rule.includes(" -d ") && rule.endsWith("-j RETURN"),
      ),
    ).toHaveLength(1);
    assertHooksSucceeded(await unit.configure({ "ip-masq": true }));
    expect(await unit.machine.readFile("/etc/systemd/system/flannel.service")).toContain("--ip-masq");
  });

  it("stops flanneld and blocks when the relation is broken, and gets its subnet back when related again", async () => {
    const model = JSON.parse(await unit.machine.readFile("/var/lib/juju-emulator/model.json"));
    assertHooksSucceeded(
      await unit.operate(
        "unrelate",
        "--relation-id",
        String(model.relations.find((r: { name: string }) => r.name === "etcd").id),
      ),
    );
    expect(await unit.status()).toEqual({
      status: "blocked",
      message: "etcd relation removed: run 'juju integrate flannel etcd'",
    });
    expect((await unit.machine.exec(["systemctl", "is-active", "flannel"])).stdout.trim()).toBe("inactive");
    expect((await unit.health()).exitCode).toBe(1);
    assertHooksSucceeded(await unit.relateEtcd(modernEtcdData("http://198.51.100.2:2379")));
    expect((await unit.status()).message).toBe(`ready: subnet ${subnet} mtu 1472 (lxcbr0)`);
  });

  it("follows etcd units as they join and depart: flanneld gets the new endpoint list", async () => {
    const model = JSON.parse(await unit.machine.readFile("/var/lib/juju-emulator/model.json"));
    const relation = String(model.relations.find((r: { name: string }) => r.name === "etcd").id);
    const second = JSON.stringify({ hostname: "198.51.100.3", port: "2379" });
    assertHooksSucceeded(
      await unit.operate("remote-joins", "--relation-id", relation, "--unit", "etcd/1", "--data", second),
    );
    const endpoints = async () =>
      /--etcd-endpoints=(\S+)/.exec(await unit.machine.readFile("/etc/systemd/system/flannel.service"))?.[1];
    expect(await endpoints()).toBe("http://198.51.100.2:2379,http://198.51.100.3:2379");
    expect((await unit.status()).status).toBe("active");
    assertHooksSucceeded(await unit.operate("remote-departs", "--relation-id", relation, "--unit", "etcd/1"));
    expect(await endpoints()).toBe("http://198.51.100.2:2379");
    expect((await unit.status()).message).toBe(`ready: subnet ${subnet} mtu 1472 (lxcbr0)`);
  });

  it("frees its lease at once on remove and gives lxc-net its original file back", async () => {
    const prom = "/var/lib/prometheus/node-exporter/flannel.prom";
    expect((await unit.machine.exec(["systemctl", "is-active", "flannel-metrics.timer"])).stdout.trim()).toBe(
      "active",
    );
    // A collection now: the timer's last one may predate the previous test's restart of flanneld.
    await unit.machine.run(["systemctl", "start", "flannel-metrics.service"]);
    expect(await unit.machine.readFile(prom)).toMatch(
      /^flannel_ready\{unit="flannel\/0",reason="none"\} 1$/m,
    );
    assertHooksSucceeded(await unit.operate("remove"));
    expect(await leaseKeysOf("198.51.100.11")).toEqual([]);
    expect(await unit.machine.readFile("/etc/default/lxc-net")).toBe(originalLxcNet);
    const gone = await unit.machine.exec([
      "sh",
      "-c",
      `ls /etc/systemd/system/flannel.service /usr/local/bin/flanneld /etc/flannel /etc/systemd/system/flannel-metrics.* ${prom} 2>&1; ip link show flannel0 2>&1`,
    ]);
    expect(gone.stdout).not.toMatch(/^\/etc|^\/usr|^\/var|^\d+: flannel0/m);
    expect(
      (await unit.machine.exec(["systemctl", "is-active", "flannel-metrics.timer"])).stdout.trim(),
    ).not.toBe("active");
    expect(await etcdGet("/coreos.com/network/config", "--print-value-only")).toBe(EXPECTED_CONFIG);
  });
});

describe("a unit facing faults", () => {
  let unit: CharmUnit;

  it("never overwrites a different network config in etcd: it blocks and starts nothing", async () => {
    const other = '{"Network":"10.99.0.0/16","Backend":{"Type":"vxlan"}}';
    expect((await world.etcdctl(["put", "/conflict/network/config", other])).exitCode).toBe(0);
    unit = await CharmUnit.place(world.machine("m2"), {
      index: 1,
      config: { "etcd-prefix": "/conflict/network" },
    });
    assertHooksSucceeded(await unit.deploy());
    assertHooksSucceeded(await unit.relateEtcd(legacyEtcdData("198.51.100.2", 2379)));
    const status = await unit.status();
    expect(status.status).toBe("blocked");
    expect(status.message).toContain(`etcd already holds ${other} at /conflict/network/config`);
    expect(await etcdGet("/conflict/network/config", "--print-value-only")).toBe(other);
    const unitFile = await unit.machine.exec(["test", "-e", "/etc/systemd/system/flannel.service"]);
    expect(unitFile.exitCode).toBe(1);
  });

  it("waits without a hook error while etcd is down, and recovers in update-status", async () => {
    await world.etcd.stop();
    try {
      assertHooksSucceeded(await unit.operate("config", "etcd-prefix="));
      const status = await unit.status();
      expect(status.status).toBe("waiting");
      expect(status.message).toMatch(/^etcd is unreachable/);
    } finally {
      await world.etcd.start();
    }
    assertHooksSucceeded(await unit.updateStatus());
    expect((await unit.status()).message).toMatch(READY_STATUS);
  });

  it("blocks on a corrupt resource and keeps the flanneld it already runs", async () => {
    const pid = await flanneldPid(unit);
    const model = JSON.parse(await unit.machine.readFile("/var/lib/juju-emulator/model.json"));
    await unit.machine.writeFile(model.resources.flannel, "#!/bin/sh\necho not flanneld\n", 0o755);
    assertHooksSucceeded(await unit.operate("upgrade-charm"));
    const status = await unit.status();
    expect(status.status).toBe("blocked");
    expect(status.message).toContain("juju attach-resource flannel flannel=./flanneld");
    expect(await flanneldPid(unit)).toBe(pid);
    expect((await unit.machine.exec(["systemctl", "is-active", "flannel"])).stdout.trim()).toBe("active");
  });

  it("blocks with the attach-resource command when there is no flanneld at all", async () => {
    const bare = await CharmUnit.place(world.machine("m3"), { index: 2, resource: false });
    assertHooksSucceeded(await bare.deploy());
    expect(await bare.status()).toEqual({
      status: "blocked",
      message: "no flannel resource is attached: run 'juju attach-resource flannel flannel=./flanneld'",
    });
  });

  it("blocks on hostile relation data, naming the field, and starts nothing", async () => {
    const bad = await CharmUnit.place(world.machine("m3"), { index: 2 });
    assertHooksSucceeded(await bad.deploy());
    assertHooksSucceeded(await bad.relateEtcd({ "etcd/0": { hostname: "etcd; rm -rf /", port: "2379" } }));
    const status = await bad.status();
    expect(status.status).toBe("blocked");
    expect(status.message).toMatch(/hostname/);
    expect((await bad.machine.exec(["systemctl", "is-active", "flannel"])).stdout.trim()).not.toBe("active");
  });
});
