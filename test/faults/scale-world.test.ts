import { afterAll, beforeAll, describe, it } from "vitest";
import { CharmUnit, type EtcdUnits, modernEtcdData } from "../support/charm-unit";
import { machineItself, ping, sleep, subnetOf } from "../support/overlay";
import type { Machine } from "../world/world";
import { World } from "../world/world";
import {
  healthLine,
  leaseViolations,
  runScenario,
  type Scenario,
  statusLine,
  type TrackedUnit,
} from "./campaign";
import { recordBesideHealth } from "./metrics";
import { Pinger, recoverySeconds } from "./pinger";

// Faults of scale on one 8-machine world with a 3-member etcd cluster (the relation carries all 3 client
// URLs): all units deployed at the same moment against an empty etcd, a network too small for its units,
// then the etcd leader lost.

const SCENARIO_TIMEOUT_MS = 420_000;
const READY_TIMEOUT_MS = 240_000;
const SMALL = {
  "container-type": "none",
  network: "10.10.0.0/22",
  "subnet-len": 24,
  "etcd-prefix": "/small/network",
};

describe("fault campaign on 8 machines", { timeout: SCENARIO_TIMEOUT_MS }, () => {
  let world: World;
  let units: CharmUnit[] = [];
  let ETCD: EtcdUnits;

  beforeAll(async () => {
    world = await World.boot({ machines: 8, docker: false, etcd: { members: 3 } });
    ETCD = modernEtcdData(world.etcd.endpoints.join(","));
  }, SCENARIO_TIMEOUT_MS);
  afterAll(async () => {
    await world?.teardown();
  });

  const track = (list: CharmUnit[]): TrackedUnit[] =>
    list.map((unit) => ({ unit, publicIp: unit.machine.address }));

  it("10 concurrent first deploy: 8 units against an empty etcd write the config once and all get distinct subnets", async () => {
    await runScenario(
      "10 concurrent first deploy (8 units)",
      () => leaseViolations(world, track(units)),
      () => units,
      async (s) => {
        units = await Promise.all(
          world.machines.map((machine, index) =>
            CharmUnit.place(machine, { index, config: { "container-type": "lxc" } }),
          ),
        );
        const started = Date.now();
        await Promise.all(
          units.map(async (unit) => {
            await s.hook(`deploy ${unit.name}`, unit.deploy());
            await s.hook(`relate ${unit.name}`, unit.relateEtcd(ETCD));
          }),
        );
        // Each unit's first reconcile installs the metrics timer, ready or not: every unit has figures.
        const during = await s.recordMetrics("during", units);
        s.check(
          during.every((line) => / ready=[01] /.test(line)),
          `no metrics after the first hooks: ${during.join(" | ")}`,
        );
        const lines = await waitReadyCounting(s, units);
        s.note(`install to all 8 ready: ${((Date.now() - started) / 1000).toFixed(1)} s`);
        const config = JSON.parse(
          (await world.etcdctl(["get", "/coreos.com/network/config", "-w", "json"])).stdout,
        );
        const version = Number(config.kvs?.[0]?.version ?? 0);
        s.note(`network config written ${version} time(s)`);
        s.check(version === 1, `the network config was written ${version} times`);
        const subnets = new Set(lines.map(subnetOf));
        s.check(subnets.size === 8, `${subnets.size} distinct subnets for 8 units: ${lines.join("; ")}`);
        const lost = await pingEveryBridge(units[0]?.machine as Machine, lines.slice(1));
        s.addPingCount(lost);
        s.check(lost === 0, `${lost} of ${7 * 3} pings from m1 to the other bridges were lost`);
      },
    );
  });

  it("9 subnet exhaustion: the 4th unit of a /22 blocks clearly, then takes a freed subnet at its next hook", async () => {
    // The small network's units once the second is removed (m5-m8's places in `units` after the body).
    const remaining = () => units.slice(4, 8).filter((u) => u.index !== 9);
    const leases = () => leaseViolations(world, track(remaining()), new Map(), "/small/network");
    await runScenario("9 subnet exhaustion (/22, 4 units)", leases, remaining, async (s) => {
      // Machines m5-m8 leave the big network, then come back as units of a network with room for 3.
      await Promise.all(units.slice(4).map((unit) => s.hook(`remove ${unit.name}`, unit.operate("remove"))));
      await Promise.all(world.machines.slice(4).map(wipeRemovedUnit));
      const small = await Promise.all(
        world.machines
          .slice(4)
          .map((machine, i) => CharmUnit.place(machine, { index: 8 + i, config: SMALL })),
      );
      units = [...units.slice(0, 4), ...small];
      const [first, second, third, fourth] = small as [CharmUnit, CharmUnit, CharmUnit, CharmUnit];
      await Promise.all(
        [first, second, third].map(async (unit) => {
          await s.hook(`deploy ${unit.name}`, unit.deploy());
          await s.hook(`relate ${unit.name}`, unit.relateEtcd(ETCD));
        }),
      );
      await waitReadyCounting(s, [first, second, third]);
      await s.hook(`deploy ${fourth.name}`, fourth.deploy());
      await s.hook(`relate ${fourth.name}`, fourth.relateEtcd(ETCD));
      const blocked = await statusLine(fourth);
      s.note(`4th unit: '${blocked}', ./health '${await healthLine(fourth)}'`);
      s.check(
        /^blocked: no free subnet in 10\.10\.0\.0\/22 \(3 of 3 leased\)/.test(blocked),
        `4th unit said: ${blocked}`,
      );
      const restartsBefore = await restarts(fourth);
      await sleep(5000);
      const state = (await fourth.machine.exec(["systemctl", "is-active", "flannel"])).stdout.trim();
      const restartsAfter = await restarts(fourth);
      s.note(`4th unit's flanneld: ${state}, restarts ${restartsBefore} -> ${restartsAfter} over 5 s`);
      s.check(
        state === "inactive" && restartsAfter === restartsBefore,
        `flanneld on the 4th unit is ${state}, restarting`,
      );
      const during = await recordBesideHealth(s, "during", small, fourth);
      s.check(/ ready=0 .* flanneld_up=0 /.test(during[3] ?? ""), `metrics while full: ${during[3]}`);
      await s.hook("update-status while full", fourth.updateStatus());
      s.check(
        (await statusLine(fourth)) === blocked,
        `a second hook changed the status to ${await statusLine(fourth)}`,
      );

      const freed = subnetOf(await healthLine(second));
      await s.hook(`remove ${second.name}`, second.operate("remove"));
      const removedAt = Date.now();
      const [line] = await waitReadyCounting(s, [fourth]);
      s.setRecovery(Math.round((Date.now() - removedAt) / 100) / 10);
      s.note(`after removing ${second.name} (${freed}): 4th unit '${await statusLine(fourth)}'`);
      s.check(subnetOf(line ?? "") === freed, `the 4th unit took ${line}, not the freed ${freed}`);
      const lost = await pingEveryBridge(first.machine, [line ?? ""], "flannel0");
      s.addPingCount(lost);
      s.check(lost === 0, `${lost} of 3 pings from ${first.machine.name} to the 4th unit were lost`);
    });
  });

  it("1 etcd leader lost: forwarding continues, hooks exit 0, a unit added meanwhile gets a lease, the member returns", async () => {
    const big = units.slice(0, 4);
    const kept = new Map<CharmUnit, string>();
    for (const unit of big) kept.set(unit, subnetOf(await healthLine(unit)));
    let added: CharmUnit | undefined;
    const tracked = () => (added ? [...big, added] : big);
    const leases = () => leaseViolations(world, track(tracked()), kept);
    await runScenario("1 etcd cluster loses its leader", leases, tracked, async (s) => {
      const m1 = big[0]?.machine as Machine;
      const source = JSON.parse(await m1.run(["ip", "-j", "-4", "addr", "show", "dev", "flannel0"]))[0]
        .addr_info[0].local;
      const target = subnetOf(await healthLine(big[1] as CharmUnit)).split("/")[0] as string;
      const pinger = await Pinger.start(machineItself(m1, source), target);
      const leader = await world.etcd.leader();
      await world.etcd.killMember(leader);
      const lostAt = Date.now();
      s.note(`killed the leader ${leader} of ${world.etcd.memberNames.join(",")}`);
      try {
        await recordBesideHealth(s, "during", big, big[1] as CharmUnit);
        for (const unit of big) await s.hook(`update-status on ${unit.name}`, unit.updateStatus());
        s.note(`during: ${big[0]?.name} '${await statusLine(big[0] as CharmUnit)}'`);
        await wipeRemovedUnit(world.machine("m6"));
        added = await CharmUnit.place(world.machine("m6"), {
          index: 12,
          config: { "container-type": "none" },
        });
        await s.hook(`deploy ${added.name}`, added.deploy());
        await s.hook(`relate ${added.name}`, added.relateEtcd(ETCD));
        const [line] = await waitReadyCounting(s, [added]);
        s.note(
          `${added.name} added during the loss: '${line}' after ${((Date.now() - lostAt) / 1000).toFixed(1)} s`,
        );
      } finally {
        await world.etcd.start();
      }
      const backAt = Date.now();
      const log = await pinger.stop();
      s.addPings(log, recoverySeconds(log, backAt));
      s.check(log.longestGap <= 10, `forwarding stopped for ${log.longestGap} packets`);
      const health = await world.etcdctl(["endpoint", "health"]);
      const healthy = `${health.stdout}${health.stderr}`.match(/is healthy/g)?.length ?? 0;
      s.note(`after: ${healthy} of 3 etcd members healthy`);
      s.check(health.exitCode === 0, `etcd cluster not healthy after the member returned: ${health.stderr}`);
      for (const unit of big) {
        await s.hook(`update-status on ${unit.name} after`, unit.updateStatus());
        const status = await statusLine(unit);
        s.check(status.startsWith("active: "), `${unit.name} after the member returned: ${status}`);
      }
    });
  });
});

/** Runs update-status on every unit not ready yet until ./health says ready on all; hook errors are counted. */
async function waitReadyCounting(s: Scenario, units: CharmUnit[]): Promise<string[]> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const results = await Promise.all(units.map((unit) => unit.health()));
    if (results.every((r) => r.exitCode === 0)) return results.map((r) => r.stdout.trim());
    if (Date.now() > deadline)
      throw new Error(`not ready: ${results.map((r) => r.stdout.trim()).join("; ")}`);
    const behind = units.filter((_, i) => results[i]?.exitCode !== 0);
    await Promise.all(behind.map((unit) => s.hook(`update-status ${unit.name}`, unit.updateStatus())));
    await sleep(1000);
  }
}

/** Pings the overlay address of each ready line (the bridge's, or flannel0's network address) 3 times; returns the losses. */
async function pingEveryBridge(from: Machine, lines: string[], device = "lxcbr0"): Promise<number> {
  let lost = 0;
  for (const line of lines) {
    const address = subnetOf(line).split("/")[0] as string;
    const target = device === "lxcbr0" ? address : address.replace(/\.1$/, ".0");
    const result = await ping(machineItself(from, ""), target, 3);
    lost += result.sent - result.replies;
  }
  return lost;
}

/**
 * The remove hook leaves the unit's record (/var/lib/flannel-charm) and flanneld's subnet.env behind, and a
 * later unit on the machine inherits them (a defect the remove-cleanup work fixes); until then the campaign
 * wipes them so a reused machine is as fresh as a new one.
 */
async function wipeRemovedUnit(machine: Machine): Promise<void> {
  await machine.run(["rm", "-rf", "/var/lib/flannel-charm", "/run/flannel"]);
}

async function restarts(unit: CharmUnit): Promise<string> {
  return (await unit.machine.run(["systemctl", "show", "-p", "NRestarts", "--value", "flannel"])).trim();
}
