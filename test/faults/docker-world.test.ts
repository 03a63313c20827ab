import { afterAll, beforeAll, describe, it } from "vitest";
import type { CharmUnit } from "../support/charm-unit";
import {
  type Container,
  deployCluster,
  dockerContainer,
  ping,
  sleep,
  subnetOf,
  waitReady,
} from "../support/overlay";
import type { Machine } from "../world/world";
import { World } from "../world/world";
import {
  bridgeOf,
  expectNoOpHook,
  healthLine,
  heldSubnet,
  leaseMtu,
  leaseViolations,
  RECOVERY_TIMEOUT_MS,
  runScenario,
  type Scenario,
  sampleHealth,
  settle,
  statusLine,
  type TrackedUnit,
} from "./campaign";
import { recordBesideHealth } from "./metrics";
import { Pinger } from "./pinger";
import { hookOutput } from "./probes";

// Docker's own faults on one 2-machine Docker world: the operator restarts dockerd (scenario 7), then edits
// daemon.json by hand between hooks (scenario 13's daemon.json case). Containers run with --restart always,
// as an operator's long-lived containers do, so dockerd brings them back by itself.

const SCENARIO_TIMEOUT_MS = 300_000;
// Boot with dockerd, deploy, ready and 2 containers: about 1.5 min on 2 idle cores, far more when loaded.
const SETUP_TIMEOUT_MS = 600_000;
const DAEMON_JSON = "/etc/docker/daemon.json";

describe("Docker faults on 2 machines", { timeout: SCENARIO_TIMEOUT_MS }, () => {
  let world: World;
  let units: CharmUnit[];
  let tracked: TrackedUnit[];
  const containers: Container[] = [];
  const kept = new Map<CharmUnit, string>();

  beforeAll(async () => {
    world = await World.boot({ machines: 2, docker: true });
    units = await deployCluster(world, { containerType: "docker", etcd: "legacy" });
    const lines = await waitReady(units);
    for (const [i, unit] of units.entries()) {
      kept.set(unit, subnetOf(lines[i] ?? ""));
      containers.push(await dockerContainer(unit.machine, `d${i + 1}`, ["--restart", "always"]));
    }
    tracked = units.map((unit) => ({ unit, publicIp: unit.machine.address }));
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await world?.teardown();
  });

  const leases = () => leaseViolations(world, tracked, kept);
  const c = (i: number) => containers[i] as Container;
  const u = (i: number) => units[i] as CharmUnit;
  const all = () => units;

  /** docker0 as the lease wants it: the lease's first address and flanneld's MTU, and the container's MTU. */
  async function checkBridge(s: Scenario, unit: CharmUnit, container: Container, when: string) {
    const m = unit.machine;
    const mtu = await leaseMtu(unit);
    const link = await bridgeOf(unit, "docker0");
    const held = link.addresses;
    const inner = await m.run(["docker", "exec", container.name, "cat", "/sys/class/net/eth0/mtu"]);
    const daemon = JSON.parse(await m.readFile(DAEMON_JSON)) as Record<string, unknown>;
    s.check(
      daemon.bip === kept.get(unit) && daemon.mtu === mtu,
      `${when}: daemon.json has bip ${daemon.bip} mtu ${daemon.mtu}`,
    );
    s.note(`${when}: docker0 ${held.join(",")} mtu ${link.mtu}; ${container.name} eth0 mtu ${inner.trim()}`);
    s.check(held.includes(kept.get(unit) ?? "?"), `${when}: docker0 is on ${held}, not ${kept.get(unit)}`);
    s.check(link.mtu === mtu, `${when}: docker0 MTU ${link.mtu}, flanneld's is ${mtu}`);
    s.check(
      Number(inner.trim()) === mtu,
      `${when}: ${container.name}'s eth0 MTU ${inner.trim()}, not ${mtu}`,
    );
  }

  it("7 docker restart by the operator: docker0 keeps the lease's address and MTU, containers answer again with no hook", async () => {
    await runScenario("7 Docker daemon restart", leases, all, async (s) => {
      const target = u(1);
      const before = c(1).address;
      const startedBefore = await startedAt(target.machine, c(1).name);
      const pinger = await Pinger.start(c(0), c(1).address);
      const restart = target.machine.run(["systemctl", "restart", "docker"]);
      // While dockerd restarts (what the target says then depends on the moment): flanneld and the other
      // machine are untouched by it.
      const sampled = sampleHealth(target, restart).then((r) => ({ ...r, at: Date.now() }));
      sampled.catch(() => undefined); // a failed restart surfaces when awaited below, not as unhandled
      const during = await s.recordMetrics("during", units);
      s.check(/ flanneld_up=1 /.test(during[1] ?? ""), `metrics during the restart: ${during[1]}`);
      s.check(/ ready=1 reason=none /.test(during[0] ?? ""), `metrics during the restart: ${during[0]}`);
      const { lines, at: restartedAt } = await sampled;
      s.note(`during systemctl restart docker: ./health said ${lines.map((l) => `'${l}'`).join(" then ")}`);
      const address = await runningAddress(target.machine, c(1).name);
      const startedAfter = await startedAt(target.machine, c(1).name);
      s.note(`${c(1).name} restarted by dockerd at ${address} (was ${before}); no hook ran`);
      s.check(startedAfter !== startedBefore, `${c(1).name} was not restarted: the fault was not applied`);
      s.check(address === before, `${c(1).name} came back at ${address}, not ${before}`);
      await settle(s, pinger, restartedAt);
      const health = await healthLine(target);
      s.note(`after, before any hook: ./health '${health}', status '${await statusLine(target)}'`);
      s.check(/^ready /.test(health), `./health not ready after the docker restart: ${health}`);
      await checkBridge(s, target, c(1), "after the restart");
      const back = await ping(c(1), c(0).address, 3);
      s.check(back.replies === 3, `${c(1).name} -> ${c(0).address}: ${back.replies}/3 after the restart`);
      await expectNoOpHook(s, target, "update-status after the docker restart", () =>
        dockerSnapshot(target.machine),
      );
      s.check((await heldSubnet(target)) === kept.get(target), "subnet changed");
    });
  });

  it("13 daemon.json edited by hand: bip and mtu reconciled, the operator's keys and mode kept, a warning, written whole", async () => {
    await runScenario("13b daemon.json edited by hand", leases, all, async (s) => {
      const target = u(1);
      const m = target.machine;
      const original = JSON.parse(await m.readFile(DAEMON_JSON)) as Record<string, unknown>;
      const operatorKeys = { "log-driver": "json-file", "insecure-registries": ["registry.example:5000"] };
      const edited = { ...original, bip: "10.10.250.1/24", mtu: 1400, ...operatorKeys };
      await m.writeFile(DAEMON_JSON, `${JSON.stringify(edited, null, 4)}\n`, 0o640);
      s.note(`edited by hand (mode 640): ${JSON.stringify(edited)}; ./health '${await healthLine(target)}'`);
      await recordBesideHealth(s, "during", units, target);

      const pinger = await Pinger.start(c(0), c(1).address);
      const watch = watchWholeJson(m, DAEMON_JSON);
      const result = await s.hook("update-status after daemon.json was edited", target.updateStatus());
      const hookDoneAt = Date.now();
      const reads = await watch.stop();
      s.note(`while the hook ran daemon.json was read ${reads.reads} times: ${reads.failed} not whole JSON`);
      s.check(
        reads.reads > 0 && reads.failed === 0,
        `daemon.json seen half-written: ${reads.bad.join(", ")}`,
      );
      const warned = result.hooks.flatMap((h) => h.diff.logs).filter((l) => /WARN/i.test(l.level));
      s.note(`juju-log warnings ${JSON.stringify(warned.map((l) => l.message))}`);
      s.check(
        warned.some((l) => l.message.includes(DAEMON_JSON)),
        `no juju-log warning about the edited daemon.json: ${hookOutput(result).slice(0, 400)}`,
      );

      const now = JSON.parse(await m.readFile(DAEMON_JSON)) as Record<string, unknown>;
      const mtu = await leaseMtu(target);
      s.check(now.bip === kept.get(target), `bip is ${now.bip}, not the lease's ${kept.get(target)}`);
      s.check(now.mtu === mtu, `mtu is ${now.mtu}, not flanneld's ${mtu}`);
      for (const [key, value] of Object.entries(operatorKeys))
        s.check(JSON.stringify(now[key]) === JSON.stringify(value), `the operator's ${key} was dropped`);
      const mode = (await m.run(["stat", "-c", "%a", DAEMON_JSON])).trim();
      s.check(mode === "640", `daemon.json's mode became ${mode}`);
      const leftovers = await m.run(["find", "/etc/docker", "-name", "*.tmp", "-o", "-name", "*.invalid*"]);
      s.check(leftovers.trim() === "", `left beside daemon.json: ${leftovers.trim()}`);

      await runningAddress(m, c(1).name);
      await settle(s, pinger, hookDoneAt);
      await waitReady([target], RECOVERY_TIMEOUT_MS);
      s.note(`after: ./health '${await healthLine(target)}', status '${await statusLine(target)}'`);
      await checkBridge(s, target, c(1), "after the hook");
      for (const [from, to] of [
        [c(0), c(1)],
        [c(1), c(0)],
      ] as const) {
        const result = await ping(from, to.address, 3);
        s.check(result.replies === 3, `${from.name} -> ${to.address}: ${result.replies}/3 after the repair`);
      }
      await expectNoOpHook(s, target, "a second update-status", () => dockerSnapshot(m));
    });
  });
});

/** What a no-op hook must leave alone on a Docker machine. */
function dockerSnapshot(m: Machine): Promise<string> {
  const script = [
    `cat ${DAEMON_JSON}; stat -c '%a %i' ${DAEMON_JSON}`,
    "ip -o addr show dev docker0; ip -o link show dev docker0 | grep -o 'mtu [0-9]*'",
    "iptables -t nat -S POSTROUTING; iptables -S FORWARD",
    "systemctl show -p MainPID --value docker flannel",
  ].join("; ");
  return m.run(["sh", "-c", script]);
}

/** When dockerd last started the container. */
async function startedAt(m: Machine, name: string): Promise<string> {
  return (await m.run(["docker", "inspect", "-f", "{{.State.StartedAt}}", name])).trim();
}

/** Waits until dockerd has the container running again; resolves to its address. */
async function runningAddress(m: Machine, name: string): Promise<string> {
  const deadline = Date.now() + RECOVERY_TIMEOUT_MS;
  const format = "{{.State.Running}} {{.NetworkSettings.IPAddress}}";
  for (;;) {
    const out = await m.exec(["docker", "inspect", "-f", format, name]);
    const [running, address = ""] = out.stdout.trim().split(" ");
    if (running === "true" && address !== "") return address;
    if (Date.now() > deadline) throw new Error(`${name} not running again: ${out.stdout}${out.stderr}`);
    await sleep(300);
  }
}

/**
 * Reads a JSON file in a tight loop inside the machine until stopped, counting reads that are not whole
 * JSON: a writer that is not atomic shows up as an empty or cut-off read.
 */
function watchWholeJson(m: Machine, path: string) {
  const stopFile = "/var/lib/faults-watch.stop";
  const script = `
const fs = require("fs");
let reads = 0; let failed = 0; const bad = [];
const fail = (what) => { failed++; if (bad.length < 5) bad.push(what); };
while (!fs.existsSync(${JSON.stringify(stopFile)})) {
  let text;
  try { text = fs.readFileSync(${JSON.stringify(path)}, "utf8"); } catch (e) { fail(String(e.code)); continue; }
  reads++;
  try { JSON.parse(text); } catch { fail(JSON.stringify(text.slice(0, 80))); }
}
fs.rmSync(${JSON.stringify(stopFile)});
console.log(JSON.stringify({ reads, failed, bad }));`;
  const running = m.run(["node", "-e", script], { direct: true });
  // If the scenario fails before stop(), the reader ends with the machine: not an unhandled rejection.
  running.catch(() => undefined);
  return {
    async stop(): Promise<{ reads: number; failed: number; bad: string[] }> {
      await m.run(["touch", stopFile], { direct: true });
      return JSON.parse(await running);
    },
  };
}
