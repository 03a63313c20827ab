import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertHooksSucceeded, CharmUnit, modernEtcdData, type OperationResult } from "../support/charm-unit";
import type { Machine } from "../world/machine";
import { World } from "../world/world";

// Issue 14, items 6, 7 and 9, on one real booted machine: real systemd and lxc-net, iptables, flanneld and
// an etcd serving TLS only. Tests run in order and build on each other, as a deployment does.

const SUBNET_STATUS = /^ready: subnet (10\.10\.\d+\.1\/24) mtu 1472 \(lxcbr0\)$/;
const HANG_DROP_IN = "/etc/systemd/system/lxc-net.service.d/00-test-hang.conf";
const ETCD_ROOT = ["--user", "root:defects-test"];

let world: World;
beforeAll(async () => {
  world = await World.boot({ machines: 1, docker: false, etcd: { tls: true } });
});
afterAll(async () => {
  await world?.teardown();
});

async function natPostrouting(machine: Machine): Promise<string[]> {
  return (await machine.run(["iptables", "-w", "5", "-t", "nat", "-S", "POSTROUTING"])).trim().split("\n");
}

async function ipForward(machine: Machine): Promise<string> {
  return (await machine.readFile("/proc/sys/net/ipv4/ip_forward")).trim();
}

function logsOf(result: OperationResult) {
  return result.hooks.flatMap((hook) => hook.diff.logs);
}

async function etcdctlOk(args: string[]) {
  const result = await world.etcdctl(args);
  expect({ args, ...result }).toMatchObject({ exitCode: 0 });
}

describe("issue 14 defects on a booted machine (lxc, etcd over TLS)", () => {
  let unit: CharmUnit;
  let machine: Machine;
  let subnet: string;
  let network: string;
  let readyLine: string;
  const exemption = () =>
    `-A POSTROUTING -s ${network} -d 10.10.0.0/16 -m comment --comment flannel-charm -j RETURN`;
  const everything = () => `-A POSTROUTING -s ${network} -m comment --comment flannel-charm -j RETURN`;
  const lxcMasquerade = () => `-A POSTROUTING -s ${network} ! -d ${network} -j MASQUERADE`;

  // Two operations of several hooks each: generous bounds, since the test machines share 2 busy cores.
  it(
    "comes up ready on a machine that did not forward IPv4 before the charm",
    { timeout: 300_000 },
    async () => {
      machine = world.machine("m1");
      await machine.run(["sh", "-c", "echo 0 > /proc/sys/net/ipv4/ip_forward"]);
      unit = await CharmUnit.place(machine, { index: 0 });
      assertHooksSucceeded(await unit.deploy());
      assertHooksSucceeded(await unit.relateEtcd(modernEtcdData(world.etcd.endpoint, world.etcd.tls)));
      const status = await unit.status();
      expect(status.message).toMatch(SUBNET_STATUS);
      subnet = SUBNET_STATUS.exec(status.message)?.[1] ?? "";
      network = subnet.replace(/\.1\/24$/, ".0/24");
      readyLine = `ready lxcbr:${subnet.split("/")[0]} subnet:${subnet} mtu:1472`;
      expect(await ipForward(machine)).toBe("1");
      expect((await unit.health()).stdout.trim()).toBe(readyLine);
    },
  );

  it("defect 7: a deleted NAT exemption is reported by ./health and put back by update-status", async () => {
    const before = await natPostrouting(machine);
    expect(before.indexOf(exemption())).toBe(1); // rule 1, after the -P line
    await machine.run(["iptables", "-w", "5", "-t", "nat", "-D", "POSTROUTING", "1"]);
    expect(await natPostrouting(machine)).not.toContain(exemption());
    const health = await unit.health();
    expect({ line: health.stdout.trim(), exitCode: health.exitCode }).toEqual({
      line: `not-ready lxcbr:${subnet.split("/")[0]} subnet:${subnet} mtu:1472 reason:nat-exemption-missing`,
      exitCode: 1,
    });
    const result = await unit.updateStatus();
    assertHooksSucceeded(result);
    const after = await natPostrouting(machine);
    expect(after.indexOf(exemption())).toBe(1);
    expect(after.indexOf(lxcMasquerade())).toBeGreaterThan(1);
    expect(logsOf(result).map((log) => log.message)).toContain(
      `repaired nat POSTROUTING: iptables -w 5 -t nat -I POSTROUTING 1 ${exemption().slice("-A POSTROUTING ".length)}`,
    );
    expect((await unit.health()).stdout.trim()).toBe(readyLine);
    expect((await unit.status()).status).toBe("active");
  });

  it(
    "defect 6: a hung lxc-net start makes the hook wait instead of hanging, and update-status recovers",
    { timeout: 400_000 },
    async () => {
      // As lxc-net's own `iptables -w` does while another program holds the xtables lock.
      await machine.writeFile(HANG_DROP_IN, "[Service]\nExecStartPre=/bin/sleep infinity\n");
      const hung = await unit.configure({ "ip-masq": false });
      assertHooksSucceeded(hung);
      const status = await unit.status();
      expect(status.status).toBe("waiting");
      expect(status.message).toMatch(
        /^could not set up the container bridge: systemctl start lxc-net failed \(exit code 1\): .*; retrying$/,
      );
      await machine.run(["rm", HANG_DROP_IN]);
      await machine.run(["systemctl", "daemon-reload"]);
      assertHooksSucceeded(await unit.updateStatus());
      expect(await unit.status()).toEqual({
        status: "active",
        message: `ready: subnet ${subnet} mtu 1472 (lxcbr0)`,
      });
      expect((await machine.exec(["systemctl", "is-active", "lxc-net"])).stdout.trim()).toBe("active");
      const rules = await natPostrouting(machine);
      expect(rules).toContain(everything());
      expect(rules.indexOf(exemption())).toBeLessThan(rules.indexOf(lxcMasquerade()));
      expect((await unit.health()).stdout.trim()).toBe(readyLine);
    },
  );

  it(
    "defect 9: an etcd that refuses the charm blocks a hook; remove still finishes, deletes the key first and gives back ip_forward",
    { timeout: 300_000 },
    async () => {
      // With auth on, etcd answers the charm's client certificate (CN=client, no such user) with an error
      // that is not "unavailable".
      await world.etcdctl(["role", "add", "root"]);
      await etcdctlOk(["user", "add", "root:defects-test"]);
      await etcdctlOk(["user", "grant-role", "root", "root"]);
      await etcdctlOk(["auth", "enable"]);
      try {
        // A hook that needs etcd while it refuses the charm blocks with the fix; it does not fail.
        assertHooksSucceeded(await unit.updateStatus(), "update-status against a refusing etcd");
        expect(await unit.status()).toMatchObject({
          status: "blocked",
          message: expect.stringMatching(
            /^etcd refused the charm \(.*permission denied.*\): give the relation's client certificate/,
          ),
        });
        const result = await unit.operate("remove");
        assertHooksSucceeded(result, "remove");
        const warnings = logsOf(result).filter((log) => log.level === "WARNING");
        expect(warnings.map((log) => log.message)).toContainEqual(
          expect.stringMatching(/^remove: could not free the lease in etcd \(it expires by its TTL\): /),
        );
      } finally {
        await etcdctlOk([...ETCD_ROOT, "auth", "disable"]);
      }
      const left = await machine.exec([
        "sh",
        "-c",
        "ls -d /etc/flannel/etcd-key.pem /etc/sysctl.d/60-flannel.conf /etc/systemd/system/flannel.service " +
          "/var/lib/flannel-charm/unit.json /var/lib/flannel-charm/state.json 2>/dev/null; true",
      ]);
      expect(left.stdout).toBe("");
      expect(await ipForward(machine)).toBe("0");
      expect((await natPostrouting(machine)).filter((rule) => rule.includes("flannel-charm"))).toEqual([]);
    },
  );
});
