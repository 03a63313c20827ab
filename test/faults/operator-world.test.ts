import { afterAll, beforeAll, describe, it } from "vitest";
import { assertHooksSucceeded, type CharmUnit, modernEtcdData } from "../support/charm-unit";
import {
  type Container,
  deployUnits,
  etcdUnitsFor,
  startLxcContainer,
  subnetOf,
  waitReady,
} from "../support/overlay";
import { World } from "../world/world";
import {
  badResources,
  CONFIG_CASES,
  CONFIG_DEFAULTS,
  connectionStrings,
  hugePem,
  machineSnapshot,
} from "./bad-input";
import {
  healthLine,
  heldSubnet,
  leaseViolations,
  RECOVERY_TIMEOUT_MS,
  runScenario,
  type Scenario,
  settle,
  statusLine,
  type TrackedUnit,
} from "./campaign";
import { recordBesideHealth } from "./metrics";
import { Pinger } from "./pinger";
import {
  cmdlinesWith,
  etcdChanges,
  hookOutput,
  rotateEtcdTls,
  watchHealthTruth,
  wipeEtcd,
  worldReadableWith,
} from "./probes";

// Faults an operator's own tools bring, on one 2-machine LXC world with a TLS etcd, each leaving the overlay
// as it found it: a firewall reload, files edited or deleted by hand, etcd restored empty, TLS rotation.

const SCENARIO_TIMEOUT_MS = 300_000;

describe("operator faults on 2 LXC machines with a TLS etcd", { timeout: SCENARIO_TIMEOUT_MS }, () => {
  let world: World;
  let units: CharmUnit[];
  let tracked: TrackedUnit[];
  const relationIds: number[] = [];
  const containers: Container[] = [];
  const kept = new Map<CharmUnit, string>();

  beforeAll(async () => {
    world = await World.boot({ machines: 2, docker: false, etcd: { tls: true } });
    units = await deployUnits(world, "lxc");
    const data = etcdUnitsFor(world, "modern-tls");
    await Promise.all(
      units.map(async (unit, i) => {
        const result = await unit.relateEtcd(data);
        assertHooksSucceeded(result, `relate ${unit.name}`);
        relationIds[i] = result.relationId ?? 0;
      }),
    );
    const lines = await waitReady(units);
    for (const [i, unit] of units.entries()) {
      kept.set(unit, subnetOf(lines[i] ?? ""));
      containers.push(await startLxcContainer(unit.machine, `c${i + 1}`));
    }
    tracked = units.map((unit) => ({ unit, publicIp: unit.machine.address }));
  }, SCENARIO_TIMEOUT_MS);
  afterAll(async () => {
    await world?.teardown();
  });

  const leases = () => leaseViolations(world, tracked, kept);
  const c = (i: number) => containers[i] as Container;
  const u = (i: number) => units[i] as CharmUnit;
  const all = () => units;

  async function expectReady(s: Scenario, unit: CharmUnit, when: string) {
    const line = await healthLine(unit);
    s.note(`${when}: ${unit.name} ./health '${line}'`);
    s.check(/^ready /.test(line), `${unit.name} not ready ${when}: ${line}`);
  }

  it("6 firewall reload: nat flush, FORWARD flushed with policy DROP, nft flush ruleset; rules back by update-status", async () => {
    await runScenario("6 firewall reload (iptables/nft flush)", leases, all, async (s) => {
      const target = u(1);
      const m = target.machine;
      const pinger = await Pinger.start(c(0), c(1).address);
      try {
        await m.run(["iptables", "-t", "nat", "-F"]);
        const afterNat = await healthLine(target);
        s.note(`iptables -t nat -F: ./health '${afterNat}'`);
        // The flush takes lxc-net's own MASQUERADE with the charm's exemption: either is named, lxc-net's first.
        s.check(
          /reason:(lxc-net-rules-missing|nat-exemption-missing)$/.test(afterNat),
          `./health did not name the NAT rules: ${afterNat}`,
        );
        await s.hook("update-status after the nat flush", target.updateStatus());
        await expectReady(s, target, "after update-status");

        await m.run(["sh", "-c", "iptables -P FORWARD DROP && iptables -F FORWARD"]);
        const droppedAt = Date.now();
        const dropped = await healthLine(target);
        s.note(`FORWARD flushed, policy DROP: ./health '${dropped}'`);
        // lxc-net's own accepts for lxcbr0 go with the charm's: either is named, lxc-net's first.
        s.check(
          /^not-ready .*reason:(lxc-net-rules-missing|forward-dropped)$/.test(dropped),
          `./health did not name FORWARD: ${dropped}`,
        );
        await recordBesideHealth(s, "during", units, target);
        await s.hook("update-status after the FORWARD flush", target.updateStatus());
        const forward = await m.run(["iptables", "-S", "FORWARD"]);
        s.note(`FORWARD after update-status: ${forward.trim().split("\n").join("; ")}`);
        s.check(
          (forward.match(/flannel-charm -j ACCEPT/g) ?? []).length === 2,
          "the charm's FORWARD accept rules are not back",
        );
        await expectReady(s, target, "after update-status");
        await settle(s, pinger, droppedAt);

        const again = await Pinger.start(c(0), c(1).address);
        await m.run(["nft", "flush", "ruleset"]);
        const flushedAt = Date.now();
        const afterNft = await healthLine(target);
        s.note(`nft flush ruleset: ./health '${afterNft}'`);
        await m.run(["iptables", "-P", "FORWARD", "DROP"]);
        const alsoDropped = await healthLine(target);
        s.note(`then FORWARD policy DROP again (a Docker restart): ./health '${alsoDropped}'`);
        s.check(
          /^not-ready .*reason:(lxc-net-rules-missing|nat-)/.test(afterNft),
          `./health did not name what nft flush removed: ${afterNft}`,
        );
        await s.hook("update-status after nft flush ruleset", target.updateStatus());
        await expectReady(s, target, "after update-status");
        await settle(s, again, flushedAt);
      } finally {
        await m.exec(["iptables", "-P", "FORWARD", "ACCEPT"]);
      }
    });
  });

  it("13 files edited or deleted by hand: lxc-net edited, unit file deleted, /run/flannel removed; the next hook repairs", async () => {
    await runScenario("13 disk and file faults", leases, all, async (s) => {
      const target = u(1);
      const m = target.machine;
      const lxcNet = "/etc/default/lxc-net";
      const edit = `sed -i 's/^LXC_ADDR=.*/LXC_ADDR="10.0.3.1"/' ${lxcNet} && echo 'LXC_DOMAIN="lxc"' >>${lxcNet}`;
      await m.run(["sh", "-c", edit]);
      const edited = await s.hook("update-status after lxc-net was edited", target.updateStatus());
      const text = await m.readFile(lxcNet);
      s.check(text.includes('LXC_DOMAIN="lxc"'), "the operator's LXC_DOMAIN was dropped");
      s.check(!text.includes('LXC_ADDR="10.0.3.1"'), "LXC_ADDR edited by hand was not reconciled");
      const warned = edited.hooks.flatMap((h) => h.diff.logs).filter((l) => /WARN/i.test(l.level));
      s.note(`lxc-net edit: juju-log warnings ${JSON.stringify(warned.map((l) => l.message))}`);
      s.check(
        warned.some((l) => /lxc-net/.test(l.message)),
        "no juju-log warning about the edited lxc-net",
      );
      await expectReady(s, target, "after the lxc-net repair");

      await m.run(["sh", "-c", "rm /etc/systemd/system/flannel.service && systemctl daemon-reload"]);
      await s.hook("update-status after the unit file was deleted", target.updateStatus());
      s.check(
        (await m.exec(["test", "-s", "/etc/systemd/system/flannel.service"])).exitCode === 0,
        "unit file not back",
      );
      await expectReady(s, target, "after the unit file repair");

      const pinger = await Pinger.start(c(0), c(1).address);
      await m.run(["rm", "-rf", "/run/flannel"]);
      const removedAt = Date.now();
      const gone = await healthLine(target);
      s.note(`/run/flannel removed: ./health '${gone}'`);
      s.check(/^not-ready /.test(gone), `./health ready with /run/flannel removed: ${gone}`);
      await recordBesideHealth(s, "during", units, target);
      await s.hook("update-status after /run/flannel was removed", target.updateStatus());
      await waitReady([target], RECOVERY_TIMEOUT_MS);
      await expectReady(s, target, "after the /run/flannel repair");
      await settle(s, pinger, removedAt);

      const leftovers = await m.run([
        "sh",
        "-c",
        "find /etc/default /etc/systemd/system /etc/flannel /run/flannel -maxdepth 1 -name '*.tmp*' -o -maxdepth 1 -name '.*.tmp*'; true",
      ]);
      s.check(leftovers.trim() === "", `half-written files left: ${leftovers.trim()}`);
      s.note("daemon.json edited by hand: scenario 13b, on the Docker world (docker-world.test.ts)");
    });
  });

  it("3 etcd loses its data: config re-created, every unit holds its old subnet again, ./health never lies", async () => {
    await runScenario("3 etcd restarted empty", leases, all, async (s) => {
      const pinger = await Pinger.start(c(0), c(1).address);
      await wipeEtcd(world);
      const wipedAt = Date.now();
      // Until a hook runs, nothing on the unit can know etcd lost its data: flanneld keeps its lease in
      // memory and the data plane needs no etcd. What ./health says then is noted; from each unit's first
      // hook on, a ready line must match a lease etcd holds.
      await recordBesideHealth(s, "during", units, u(1));
      for (const unit of units) {
        s.note(`etcd wiped, before any hook: ${unit.name} ./health '${await healthLine(unit)}'`);
        const result = await s.hook(`update-status on ${unit.name} after the wipe`, unit.updateStatus());
        s.note(`update-status on ${unit.name}: ${hookOutput(result).trim().split("\n").join(" | ")}`);
      }
      const recovery = waitReady(units, RECOVERY_TIMEOUT_MS);
      const truths = await Promise.all(
        units.map((unit) => watchHealthTruth(world, unit, unit.machine.address, recovery)),
      );
      for (const truth of truths) {
        s.note(`then ./health said ${truth.lines.map((l) => `'${l}'`).join(" then ")}`);
        for (const lie of truth.lies) s.fail(`./health lied: ${lie}`);
      }
      const config = await world.etcdctl(["get", "--print-value-only", "/coreos.com/network/config"]);
      s.check(config.stdout.includes("10.10.0.0/16"), `network config not re-created: ${config.stdout}`);
      for (const unit of units)
        s.check((await heldSubnet(unit)) === kept.get(unit), `${unit.name} changed subnet`);
      await settle(s, pinger, wipedAt);
    });
  });

  it("8 TLS rotation: new CA and certificates through the relation; files 0600, flanneld reconnects, no key leaks", async () => {
    await runScenario("8 etcd TLS rotation (new CA)", leases, all, async (s) => {
      const pinger = await Pinger.start(c(0), c(1).address);
      await rotateEtcdTls(world);
      const rotatedAt = Date.now();
      const tls = world.etcd.tls;
      if (!tls) throw new Error("the world's etcd has no TLS");
      // Every unit still holds the old CA and certificate: etcd's new server certificate is refused.
      const during = await recordBesideHealth(s, "during", units, u(1));
      s.check(
        during.every((line) => / etcd_up=0 /.test(line)),
        `metrics with the old certificates: ${during.join(" | ")}`,
      );
      const outputs: string[] = [];
      for (const [i, unit] of units.entries()) {
        const result = await s.hook(
          `relation-changed with new certificates on ${unit.name}`,
          etcdChanges(unit, relationIds[i] ?? 0, modernEtcdData(world.etcd.endpoint, tls)["etcd/0"] ?? {}),
        );
        outputs.push(hookOutput(result));
      }
      await waitReady(units, RECOVERY_TIMEOUT_MS);
      await settle(s, pinger, rotatedAt);
      const keyLine = tls.key.split("\n").find((line) => line.length > 40) ?? tls.key;
      for (const unit of units) {
        const modes = await unit.machine.run([
          "stat",
          "-c",
          "%a %n",
          ...["ca", "cert", "key"].map((n) => `/etc/flannel/etcd-${n}.pem`),
        ]);
        s.check(
          modes
            .trim()
            .split("\n")
            .every((l) => l.startsWith("600 ")),
          `${unit.name} credential modes: ${modes}`,
        );
        const key = await unit.machine.readFile("/etc/flannel/etcd-key.pem");
        s.check(key.trim() === tls.key.trim(), `${unit.name} did not write the new key`);
        s.check((await heldSubnet(unit)) === kept.get(unit), `${unit.name} changed subnet`);
        // The test's own emulator keeps relation data in its model and passes it on systemd-run's command
        // line (Juju keeps it in the controller): those two places are the harness, not the charm.
        const harness = /^(\/var\/lib\/juju-emulator\/|\/run\/systemd\/transient\/)/;
        const readable = (
          await worldReadableWith(unit, keyLine, ["/etc", "/var/lib", "/run", "/var/log"])
        ).filter((path) => !harness.test(path));
        s.check(
          readable.length === 0,
          `${unit.name}: key material in world-readable files ${readable.join(", ")}`,
        );
        const args = await cmdlinesWith(unit, keyLine);
        s.check(args.length === 0, `${unit.name}: key material in process arguments`);
        s.check(!(await statusLine(unit)).includes(keyLine), `${unit.name}: key material in the status`);
      }
      s.check(!outputs.some((o) => o.includes(keyLine)), "key material in juju-log or hook output");
      s.note(`after: ${await statusLine(u(0))}, ./health '${await healthLine(u(0))}'`);
    });
  });

  it("14 bad input table: config, relation data and resources each get a status naming the field; nothing changes", async () => {
    await runScenario("14 bad input table", leases, all, async (s) => {
      const target = u(1);
      const pinger = await Pinger.start(c(0), c(1).address);
      // Taken again before each case: putting a value back legitimately restarts flanneld (ip-masq, say).
      let baseline = await machineSnapshot(target);
      const expectUntouched = async (what: string) => {
        const now = await machineSnapshot(target);
        s.check(now === baseline, `${what} changed the machine:\n${diffLines(baseline, now)}`);
      };
      const expectNamed = async (what: string, field: RegExp) => {
        const status = await statusLine(target);
        s.note(`${what}: '${status.slice(0, 200)}'`);
        s.check(/^(blocked|waiting): /.test(status) && field.test(status), `${what}: status '${status}'`);
        s.check(status.length <= 1024, `${what}: a status of ${status.length} characters`);
      };
      const expectActive = async (what: string) => {
        const status = await statusLine(target);
        s.check(status.startsWith("active: "), `not active again after ${what}: ${status}`);
      };

      for (const { key, value } of CONFIG_CASES) {
        const what = `config ${key}=${JSON.stringify(value)}`;
        baseline = await machineSnapshot(target);
        const refused = await target.configure({ [key]: value }).then(
          (result) => s.hook(what, Promise.resolve(result)).then(() => undefined),
          (error: Error) => error.message.split("\n").find((l) => l.trim() !== "") ?? error.message,
        );
        if (refused !== undefined)
          s.note(`${what}: refused before any hook, as juju config does (${refused.slice(0, 160)})`);
        else await expectNamed(what, new RegExp(key));
        await expectUntouched(what);
        await s.hook(
          `config ${key} back to its default`,
          target.configure({ [key]: CONFIG_DEFAULTS[key] ?? "" }),
        );
        await expectActive(what);
      }

      const good = modernEtcdData(world.etcd.endpoint, world.etcd.tls)["etcd/0"] ?? {};
      const fuzz = [
        ...connectionStrings().map(({ label, value }) => ({
          label: `connection_string ${label}`,
          data: { ...good, connection_string: value },
          field: /connection_string/,
        })),
        {
          label: "client_key not PEM",
          data: { ...good, client_key: "-----BEGIN EC PRIVATE KEY-----\n$(reboot)\n" },
          field: /client_key/,
        },
        {
          label: "client_ca unicode",
          data: { ...good, client_ca: "証明書 ☠ %n %i \\x2d" },
          field: /client_ca/,
        },
        { label: "client_cert 1 MiB", data: { ...good, client_cert: hugePem() }, field: /client_cert/ },
      ];
      for (const { label, data, field } of fuzz) {
        const what = `relation data: ${label}`;
        baseline = await machineSnapshot(target);
        await s.hook(what, etcdChanges(target, relationIds[1] ?? 0, data));
        const held = (await target.readModel()).relations.find((r) => r.name === "etcd")?.remoteUnits[
          "etcd/0"
        ];
        s.check(JSON.stringify(held) === JSON.stringify(data), `${what}: the unit's relation data differs`);
        const sent = Object.values(data).reduce((sum, value) => sum + value.length, 0);
        if (sent > 1024 * 1024) s.note(`${what}: all ${sent} characters of settings reached the unit`);
        await expectNamed(what, field);
        await expectUntouched(what);
      }
      // Still on the last bad relation data, its status naming the field: what the metrics say then.
      await recordBesideHealth(s, "during", units, target);
      await s.hook("relation data back", etcdChanges(target, relationIds[1] ?? 0, good));
      await expectActive("the relation data came back");

      const modelPath = "/var/lib/juju-emulator/model.json";
      const original = JSON.parse(await target.machine.readFile(modelPath)).resources.flannel as string;
      const setResource = async (path: string) => {
        const model = JSON.parse(await target.machine.readFile(modelPath));
        model.resources.flannel = path;
        await target.machine.writeFile(modelPath, JSON.stringify(model, null, 2));
      };
      try {
        for (const [label, path] of Object.entries(await badResources(target))) {
          const what = `resource: ${label}`;
          baseline = await machineSnapshot(target);
          await setResource(path);
          await s.hook(what, target.operate("upgrade-charm"));
          await expectNamed(what, /resource|flanneld/);
          await expectUntouched(what);
        }
      } finally {
        await setResource(original);
      }
      await s.hook("the good resource back", target.operate("upgrade-charm"));
      await expectActive("the good resource came back");
      const log = await pinger.stop();
      s.addPings(log, 0);
      s.check(log.longestGap <= 40, `forwarding stopped for ${log.longestGap} packets during the bad input`);
    });
  });
});

function diffLines(before: string, after: string): string {
  const old = new Set(before.split("\n"));
  const now = new Set(after.split("\n"));
  const removed = [...old].filter((l) => !now.has(l)).map((l) => `- ${l}`);
  const added = [...now].filter((l) => !old.has(l)).map((l) => `+ ${l}`);
  return [...removed, ...added].slice(0, 20).join("\n");
}
