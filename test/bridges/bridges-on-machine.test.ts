import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertHooksSucceeded, CharmUnit, legacyEtcdData, type OperationResult } from "../support/charm-unit";
import type { Machine } from "../world/machine";
import { World } from "../world/world";

// The container bridges on real booted machines: real lxc-net (dnsmasq, iptables), real dockerd, real
// flanneld holding a lease from real etcd. Tests in a describe run in order and build on each other.

const OPERATOR_DAEMON_JSON = '{\n  "log-level": "warn"\n}\n';
const INVALID_DAEMON_JSON = '{ "log-level": "warn", }\n';
const LXC_FILES = ["/etc/default/lxc-net", "/etc/lxc/default.conf"];
const DROP_IN = "/etc/systemd/system/lxc-net.service.d/flannel.conf";
const DAEMON_JSON = "/etc/docker/daemon.json";
const DOCKER_DROP_IN = "/etc/systemd/system/docker.service.d/flannel.conf";

let world: World;
beforeAll(async () => {
  world = await World.boot({ machines: 2, docker: true });
});
afterAll(async () => {
  await world?.teardown();
});

interface Link {
  mtu: number;
  addresses: string[];
}

async function readLink(machine: Machine, device: string): Promise<Link | undefined> {
  const result = await machine.exec(["ip", "-j", "addr", "show", "dev", device]);
  if (result.exitCode !== 0) return undefined;
  const link = JSON.parse(result.stdout)[0];
  const inet = link.addr_info.filter((a: { family: string }) => a.family === "inet");
  return {
    mtu: link.mtu,
    addresses: inet.map((a: { local: string; prefixlen: number }) => `${a.local}/${a.prefixlen}`),
  };
}

/** The lease flanneld wrote: FLANNEL_SUBNET (e.g. 10.10.16.1/24). */
async function leaseOf(machine: Machine): Promise<string> {
  const env = await machine.readFile("/run/flannel/subnet.env");
  const subnet = /^FLANNEL_SUBNET=(\S+)$/m.exec(env)?.[1];
  expect(subnet).toMatch(/^10\.10\.\d+\.1\/24$/);
  return subnet ?? "";
}

async function mainPid(machine: Machine, service: string) {
  const pid = (await machine.run(["systemctl", "show", "-P", "MainPID", service])).trim();
  expect(pid).toMatch(/^[1-9]\d*$/);
  return pid;
}

/** lxc-net is a oneshot: its start time tells a restart; dnsmasq is the daemon it runs. */
async function lxcNetRun(machine: Machine) {
  const started = await machine.run([
    "systemctl",
    "show",
    "-P",
    "ExecMainStartTimestampMonotonic",
    "lxc-net",
  ]);
  const dnsmasq = (await machine.run(["cat", "/run/lxc/dnsmasq.pid"])).trim();
  expect(dnsmasq).toMatch(/^[1-9]\d*$/);
  return { started: started.trim(), dnsmasq };
}

/** Content hash, size, mode and mtime (to the millisecond) of each file, or "absent". */
async function fingerprint(machine: Machine, paths: string[]) {
  const script =
    'for f in "$@"; do if [ -e "$f" ]; then stat -c "%n %s %a %.3Y" "$f"; md5sum <"$f"; else echo "$f absent"; fi; done';
  return machine.run(["sh", "-c", script, "-", ...paths]);
}

async function natPostrouting(machine: Machine): Promise<string[]> {
  return (await machine.run(["iptables", "-w", "-t", "nat", "-S", "POSTROUTING"])).trim().split("\n");
}

function configChangedRan(result: OperationResult) {
  return result.hooks.some((hook) => hook.hook === "config-changed" && hook.ran);
}

async function expectHealth(unit: CharmUnit, line: string, exitCode: number) {
  const health = await unit.health();
  expect({ line: health.stdout.trim(), exitCode: health.exitCode }).toEqual({ line, exitCode });
}

async function expectOnlyLease(machine: Machine, device: string, subnet: string) {
  expect(await readLink(machine, device)).toEqual({ mtu: 1472, addresses: [subnet] });
}

describe("lxc, then docker, then none on one machine", () => {
  let unit: CharmUnit;
  let machine: Machine;
  let subnet: string;
  let address: string;
  const originals = new Map<string, string>();

  it("starts from docker on its default 172.17.0.1 and an operator's daemon.json", async () => {
    machine = world.machine("m1");
    await machine.writeFile(DAEMON_JSON, OPERATOR_DAEMON_JSON);
    await machine.run(["systemctl", "restart", "docker"]);
    for (const path of [...LXC_FILES, DAEMON_JSON]) originals.set(path, await fingerprint(machine, [path]));
    expect((await readLink(machine, "docker0"))?.addresses).toEqual(["172.17.0.1/16"]);
    expect(await machine.exec(["test", "-e", DROP_IN])).toMatchObject({ exitCode: 1 });
  });

  it("puts lxcbr0 on the lease address with MTU 1472 and writes the lease into lxc-net's files", async () => {
    unit = await CharmUnit.place(machine, { index: 0 });
    assertHooksSucceeded(await unit.deploy());
    await unit.relateEtcd(legacyEtcdData("198.51.100.2", 2379));
    subnet = await leaseOf(machine);
    address = subnet.split("/")[0];
    expect(await unit.status()).toEqual({
      status: "active",
      message: `ready: subnet ${subnet} mtu 1472 (lxcbr0)`,
    });
    await expectOnlyLease(machine, "lxcbr0", subnet);
    const network = subnet.replace(/\.1\/24$/, ".0");
    const lxcNet = await machine.readFile("/etc/default/lxc-net");
    for (const line of [
      'USE_LXC_BRIDGE="true"',
      'LXC_BRIDGE="lxcbr0"',
      `LXC_ADDR="${address}"`,
      'LXC_NETMASK="255.255.255.0"',
      `LXC_NETWORK="${network}/24"`,
      `LXC_DHCP_RANGE="${network.replace(/\.0$/, ".2")},${network.replace(/\.0$/, ".254")}"`,
      'LXC_DHCP_MAX="253"',
      'LXC_USE_NFT="false"',
    ])
      expect(lxcNet.split("\n")).toContain(line);
    expect((await machine.readFile("/etc/lxc/default.conf")).split("\n")).toContain("lxc.net.0.mtu = 1472");
  });

  it("exempts overlay traffic from lxc-net's masquerade in iptables, above the MASQUERADE", async () => {
    const network = subnet.replace(/\.1\/24$/, ".0/24");
    const rules = await natPostrouting(machine);
    const exemption = rules.indexOf(
      `-A POSTROUTING -s ${network} -d 10.10.0.0/16 -m comment --comment flannel-charm -j RETURN`,
    );
    const masquerade = rules.indexOf(`-A POSTROUTING -s ${network} ! -d ${network} -j MASQUERADE`);
    expect({ exemption, masquerade, rules }).toMatchObject({ exemption: expect.any(Number) });
    expect(exemption).toBeGreaterThanOrEqual(0);
    expect(masquerade).toBeGreaterThan(exemption);
    // LXC_USE_NFT="false": lxc-net must not have put its own masquerade into an nft table instead.
    const nft = await machine.exec([
      "sh",
      "-c",
      "command -v nft >/dev/null || exit 0; nft list table inet lxc",
    ]);
    expect(nft.stdout).not.toContain("masquerade");
  });

  it("reports exactly the seed's ready line in ./health", async () => {
    await expectHealth(unit, `ready lxcbr:${address} subnet:${subnet} mtu:1472`, 0);
  });

  it("restarts nothing and rewrites no file when update-status and config-changed run again", async () => {
    const files = [...LXC_FILES, DROP_IN, DAEMON_JSON];
    const before = {
      flanneld: await mainPid(machine, "flannel"),
      lxcNet: await lxcNetRun(machine),
      files: await fingerprint(machine, files),
    };
    assertHooksSucceeded(await unit.updateStatus());
    const config = await unit.configure({ "ip-masq": true });
    assertHooksSucceeded(config);
    expect(configChangedRan(config)).toBe(true);
    expect({
      flanneld: await mainPid(machine, "flannel"),
      lxcNet: await lxcNetRun(machine),
      files: await fingerprint(machine, files),
    }).toEqual(before);
  });

  it("says flanneld-inactive when flanneld is stopped by hand, and update-status brings it back", async () => {
    await machine.run(["systemctl", "stop", "flannel"]);
    const stopped = await unit.health();
    expect(stopped.stdout.trim()).toMatch(
      /^not-ready (lxcbr:\S+ )?(subnet:\S+ mtu:1472 )?reason:flanneld-inactive$/,
    );
    expect(stopped.exitCode).toBe(1);
    assertHooksSucceeded(await unit.updateStatus());
    expect((await machine.exec(["systemctl", "is-active", "flannel"])).stdout.trim()).toBe("active");
    expect(await leaseOf(machine)).toBe(subnet);
    await expectHealth(unit, `ready lxcbr:${address} subnet:${subnet} mtu:1472`, 0);
  });

  it("switching to docker restores lxc-net's files and moves docker0 from 172.17.0.1 onto the lease", async () => {
    assertHooksSucceeded(await unit.configure({ "container-type": "docker" }));
    for (const path of LXC_FILES) expect(await fingerprint(machine, [path])).toBe(originals.get(path));
    expect(await machine.exec(["test", "-e", DROP_IN])).toMatchObject({ exitCode: 1 });
    await expectOnlyLease(machine, "docker0", subnet);
    expect(JSON.parse(await machine.readFile(DAEMON_JSON))).toEqual({
      "log-level": "warn",
      bip: subnet,
      mtu: 1472,
      "ip-masq": false,
    });
    // The lxc exemptions left with lxc-net, and docker masquerades nothing of the lease ("ip-masq": false).
    const network = subnet.replace(/\.1\/24$/, ".0/24");
    expect((await natPostrouting(machine)).filter((rule) => rule.includes(network))).toEqual([]);
    expect(await unit.status()).toEqual({
      status: "active",
      message: `ready: subnet ${subnet} mtu 1472 (docker0)`,
    });
    await expectHealth(unit, `ready docker0:${address} subnet:${subnet} mtu:1472`, 0);
  });

  it("leaves dockerd running when hooks run again on docker", async () => {
    const before = {
      docker: await mainPid(machine, "docker"),
      files: await fingerprint(machine, [DAEMON_JSON]),
    };
    assertHooksSucceeded(await unit.updateStatus());
    expect({
      docker: await mainPid(machine, "docker"),
      files: await fingerprint(machine, [DAEMON_JSON]),
    }).toEqual(before);
  });

  it("defect 7: a MASQUERADE of the subnet (docker's rule without ip-masq false) is reported and removed", async () => {
    const network = subnet.replace(/\.1\/24$/, ".0/24");
    const rule = ["-s", network, "!", "-o", "docker0", "-j", "MASQUERADE"];
    await machine.run(["iptables", "-w", "5", "-t", "nat", "-A", "POSTROUTING", ...rule]);
    await expectHealth(
      unit,
      `not-ready docker0:${address} subnet:${subnet} mtu:1472 reason:nat-masquerade`,
      1,
    );
    assertHooksSucceeded(await unit.updateStatus());
    expect((await natPostrouting(machine)).filter((line) => line.includes(network))).toEqual([]);
    await expectHealth(unit, `ready docker0:${address} subnet:${subnet} mtu:1472`, 0);
  });

  it("keeps docker0 at the lease's MTU when docker restarts outside the charm, before any container", async () => {
    await machine.run(["systemctl", "restart", "docker"]);
    await expectOnlyLease(machine, "docker0", subnet);
    await expectHealth(unit, `ready docker0:${address} subnet:${subnet} mtu:1472`, 0);
  });

  it("switching to none gives docker its daemon.json back and reports only subnet and MTU", async () => {
    assertHooksSucceeded(await unit.configure({ "container-type": "none" }));
    expect(await fingerprint(machine, [DAEMON_JSON])).toBe(originals.get(DAEMON_JSON));
    expect(await machine.exec(["test", "-e", DOCKER_DROP_IN])).toMatchObject({ exitCode: 1 });
    expect((await readLink(machine, "docker0"))?.addresses).toEqual(["172.17.0.1/16"]);
    expect(await unit.status()).toEqual({ status: "active", message: `ready: subnet ${subnet} mtu 1472` });
    await expectHealth(unit, `ready subnet:${subnet} mtu:1472`, 0);
  });
});

describe("docker on a machine that had no daemon.json", () => {
  let unit: CharmUnit;
  let machine: Machine;
  let subnet: string;

  it("puts docker0 on the lease at deploy, replacing the 172.17.0.1 bridge", async () => {
    machine = world.machine("m2");
    expect(await machine.exec(["test", "-e", DAEMON_JSON])).toMatchObject({ exitCode: 1 });
    expect((await readLink(machine, "docker0"))?.addresses).toEqual(["172.17.0.1/16"]);
    unit = await CharmUnit.place(machine, { index: 1, config: { "container-type": "docker" } });
    assertHooksSucceeded(await unit.deploy());
    await unit.relateEtcd(legacyEtcdData("198.51.100.2", 2379));
    subnet = await leaseOf(machine);
    await expectOnlyLease(machine, "docker0", subnet);
    expect(await machine.readFile(DAEMON_JSON)).toBe(
      `{\n  "bip": "${subnet}",\n  "mtu": 1472,\n  "ip-masq": false\n}\n`,
    );
    await expectHealth(unit, `ready docker0:${subnet.split("/")[0]} subnet:${subnet} mtu:1472`, 0);
  });

  it("removes the daemon.json it created when switched to none", async () => {
    assertHooksSucceeded(await unit.configure({ "container-type": "none" }));
    expect(await machine.exec(["test", "-e", DAEMON_JSON])).toMatchObject({ exitCode: 1 });
    expect((await readLink(machine, "docker0"))?.addresses).toEqual(["172.17.0.1/16"]);
    await expectHealth(unit, `ready subnet:${subnet} mtu:1472`, 0);
  });

  it("keeps an invalid daemon.json aside and says so in the unit's log", async () => {
    await machine.writeFile(DAEMON_JSON, INVALID_DAEMON_JSON);
    const result = await unit.configure({ "container-type": "docker" });
    assertHooksSucceeded(result);
    expect(await machine.readFile(`${DAEMON_JSON}.invalid`)).toBe(INVALID_DAEMON_JSON);
    const logs = result.hooks.flatMap((hook) => hook.diff.logs);
    expect(logs).toContainEqual({
      hook: "config-changed",
      level: "WARNING",
      message: `${DAEMON_JSON} was not a JSON object; kept it as ${DAEMON_JSON}.invalid and wrote a new one with bip, mtu and ip-masq only: merge your settings from ${DAEMON_JSON}.invalid back into ${DAEMON_JSON}`,
    });
    expect(JSON.parse(await machine.readFile(DAEMON_JSON))).toEqual({
      bip: subnet,
      mtu: 1472,
      "ip-masq": false,
    });
    await expectOnlyLease(machine, "docker0", subnet);
    await expectHealth(unit, `ready docker0:${subnet.split("/")[0]} subnet:${subnet} mtu:1472`, 0);
  });
});
