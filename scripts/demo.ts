// `npm run demo`: the charm's main job on one machine. Boots etcd and N machines, deploys the packed charm
// on each, relates it to etcd, waits for ready, shows ./health as an operator sees it, and pings between
// real containers on different machines, and ends with the mesh-check table and `juju status`. Bundled by
// scripts/demo (esbuild) and run as root.
import type { CharmUnit } from "../test/support/charm-unit";
import { CharmedEtcd } from "../test/support/charmed-etcd";
import { cheatSheet, sheetInputOf } from "../test/support/cheat-sheet";
import { jujuStatus } from "../test/support/juju-status";
import {
  type Container,
  deployUnits,
  dockerContainer,
  etcdUnitsFor,
  healthLines,
  ping,
  relateUnits,
  startLxcContainer,
  waitReady,
} from "../test/support/overlay";
import { World } from "../test/world/world";
import { findKeptWorlds, keptGuests, recordKeptWorld } from "./demo-kept";
import { showMeshCheck } from "./demo-mesh";
import { type DemoCommand, DemoOptionError, parseDemoArgs, USAGE } from "./demo-options.mjs";
import { showPrometheusMesh } from "./demo-prometheus";

type DemoOptions = Extract<DemoCommand, { command: "run" }>;

const started = Date.now();
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** One progress line per stage, with the time the stage took. */
async function stage<T>(what: string, work: () => Promise<T>): Promise<T> {
  const since = Date.now();
  process.stdout.write(`demo: ${what} …`);
  const value = await work();
  process.stdout.write(` done (${seconds(since)})\n`);
  return value;
}

async function startContainers(units: CharmUnit[], kind: DemoOptions["containers"]): Promise<Container[]> {
  const start = kind === "lxc" ? startLxcContainer : dockerContainer;
  // One at a time: lxc-create and docker import each take a core, and the demo machine may have only two.
  const containers: Container[] = [];
  for (const unit of units) containers.push(await start(unit.machine, `${unit.machine.name}-c1`));
  return containers;
}

async function pingAcross(containers: Container[]): Promise<boolean> {
  let allOk = true;
  for (const from of containers) {
    for (const to of containers.filter((c) => c.machine !== from.machine)) {
      const result = await ping(from, to.address, 3);
      const rtt = result.rttMs === undefined ? "no rtt" : `rtt ${result.rttMs.toFixed(2)} ms`;
      console.log(
        `container ${from.name} ${from.address} -> ${to.name} ${to.address}: ${result.replies}/${result.sent} replies, ${rtt}`,
      );
      if (result.replies !== result.sent) allOk = false;
    }
  }
  return allOk;
}

async function underlayRtt(world: World): Promise<string> {
  const [m1, m2] = world.machines;
  if (m1 === undefined || m2 === undefined) return "n/a";
  const result = await ping({ machine: m1, name: m1.name, kind: "none", address: m1.address }, m2.address, 3);
  return `machine ${m1.name} ${m1.address} -> ${m2.name} ${m2.address}: ${result.replies}/3 replies, rtt ${result.rttMs?.toFixed(2)} ms (underlay, no overlay)`;
}

function printKeep(units: CharmUnit[], containers: Container[], type: DemoOptions["containers"]) {
  const sheet = cheatSheet(sheetInputOf(units, containers, type, process.pid));
  console.log(`\n${sheet.join("\n")}`);
}

/** `juju status` of a world, as the demo prints it once at the end of every run. */
async function printStatus(world: World) {
  console.log("\n$ juju status --relations");
  // The status is for reading; failing to gather it must not fail (or skip the teardown of) the demo.
  const table = await jujuStatus(world.machines).catch(
    (error: Error) => `(could not gather it: ${error.message})\n`,
  );
  process.stdout.write(table);
}

/** `npm run demo -- status`: `juju status` of every world a `--keep` demo still holds up. */
async function showKeptStatus(): Promise<number> {
  const kept = await findKeptWorlds();
  if (kept.length === 0) {
    console.error("demo: no kept world is running; start one with: npm run demo -- --keep");
    return 1;
  }
  for (const world of kept) {
    if (kept.length > 1) console.log(`world ${world.worldId} (demo PID ${world.pid}):`);
    console.log("$ juju status --relations");
    process.stdout.write(await jujuStatus(keptGuests(world)));
  }
  return 0;
}
/** Charmed etcd runs 3 members with TLS, client certificates and RBAC; the classic one a plain member. */
function etcdOf(options: DemoOptions) {
  return options.etcd === "charmed" ? { tls: true, members: 3 as const } : { tls: false };
}

async function relateToEtcd(world: World, units: CharmUnit[], kind: DemoOptions["etcd"]) {
  if (kind === "classic") return relateUnits(units, etcdUnitsFor(world, "legacy"));
  const provider = new CharmedEtcd(world);
  await provider.enableAuth();
  await provider.relate(units);
}

async function demo(options: DemoOptions): Promise<number> {
  const docker = options.containers === "docker";
  const world = await stage(
    `booting etcd and ${options.machines} machines${docker ? " with Docker" : ""}`,
    () => World.boot({ machines: options.machines, docker, etcd: etcdOf(options) }),
  );
  try {
    const firstHook = Date.now();
    const units = await stage(`deploying flannel (container-type ${options.containers})`, () =>
      deployUnits(world, options.containers),
    );
    await stage(
      `relating flannel to ${options.etcd === "charmed" ? "Charmed etcd (etcd-client)" : "etcd"}`,
      () => relateToEtcd(world, units, options.etcd),
    );
    let ready = true;
    await stage("waiting for every unit to be ready", async () => {
      await waitReady(units).catch((error: Error) => {
        ready = false;
        process.stdout.write(`\n${error.message}`);
      });
    });
    const readyAfter = seconds(firstHook);
    console.log("\n$ juju exec --application flannel -- ./health");
    for (const line of await healthLines(units)) console.log(line);
    let pinged = false;
    let containers: Container[] = [];
    let meshed = false;
    if (ready) {
      containers = await stage(`starting one ${options.containers} container per machine`, () =>
        startContainers(units, options.containers),
      );
      console.log("");
      pinged = await pingAcross(containers);
      console.log(await underlayRtt(world));
      meshed = await showMeshCheck(units);
    }
    await printStatus(world);
    const watched = meshed && (await showPrometheusMesh(world, units));
    console.log(`\ndemo: first hook to all ready: ${readyAfter}; total ${seconds(started)}`);
    const ok = ready && pinged && meshed && watched;
    console.log(ok ? "demo: OK" : "demo: FAILED (see above)");
    if (options.keep) {
      await recordKeptWorld(world);
      printKeep(units, containers, options.containers);
      // The world's own signal handlers tear it down on Ctrl-C or kill, then exit.
      setInterval(() => undefined, 60_000);
      await new Promise(() => undefined);
    }
    return ok ? 0 : 1;
  } finally {
    await stage("tearing everything down", () => world.teardown());
  }
}

async function main(argv: string[]): Promise<number> {
  let command: DemoCommand;
  try {
    command = parseDemoArgs(argv);
  } catch (error) {
    if (!(error instanceof DemoOptionError)) throw error;
    console.error(`demo: ${error.message}\nrun 'npm run demo -- --help' for the options`);
    return 2;
  }
  if (command.command === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command.command === "status") return showKeptStatus();
  return demo(command);
}

process.exitCode = await main(process.argv.slice(2));
