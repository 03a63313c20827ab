import { mkdir, rename } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import type { Machine, World } from "../world/world";
import {
  assertHooksSucceeded,
  CharmUnit,
  type EtcdUnits,
  legacyEtcdData,
  modernEtcdData,
} from "./charm-unit";
import { REPO_ROOT } from "./paths";

// Shared by the end-to-end tests and `npm run demo`: deploy the packed charm on every machine of a world,
// wait for ready as an operator would, and start real containers that ping across the overlay.

export type ContainerType = "lxc" | "docker" | "none";
export type EtcdShape = "legacy" | "modern-tls";

export interface ClusterOptions {
  /** container-type per machine; one value applies to all. */
  containerType: ContainerType | ContainerType[];
  etcd: EtcdShape;
}

/** A container somewhere in the world: what ping and the receiver check need to reach it. */
export interface Container {
  machine: Machine;
  name: string;
  kind: ContainerType;
  address: string;
}

export interface PingResult {
  sent: number;
  replies: number;
  /** Average round trip in ms; undefined with no replies. */
  rttMs: number | undefined;
  output: string;
}

// Deploy + relate take 40-60 s on 2 idle cores; allow for a loaded CI machine.
const HEALTH_TIMEOUT_MS = 180_000;
/** Per-test timeout for e2e scenarios: a deploy takes about a minute on 2 idle cores. */
export const E2E_TIMEOUT_MS = 300_000;
const DOCKER_IMAGE = "e2e-busybox";
const DFPING_HOST = join(REPO_ROOT, "build/harness/dfping");
const DFPING_GUEST = "/usr/local/bin/dfping";

/** The relation data etcd's charm would publish for this world, in the chosen shape. */
export function etcdUnitsFor(world: World, shape: EtcdShape) {
  if (shape === "legacy") return legacyEtcdData("198.51.100.2", 2379);
  if (!world.etcd.tls) throw new Error("modern-tls relation data needs World.boot({ etcd: { tls: true } })");
  return modernEtcdData(world.etcd.endpoint, world.etcd.tls);
}

/** Places, deploys and relates one unit per machine (in parallel); returns the units in machine order. */
export async function deployCluster(world: World, options: ClusterOptions): Promise<CharmUnit[]> {
  const units = await deployUnits(world, options.containerType);
  await relateUnits(units, etcdUnitsFor(world, options.etcd));
  return units;
}

/** Places the charm on every machine and runs its deploy hooks (install … start); nothing related yet. */
export async function deployUnits(world: World, containerType: ClusterOptions["containerType"]) {
  return Promise.all(
    world.machines.map(async (machine, index) => {
      const config = { "container-type": typeOf(containerType, index) };
      const unit = await CharmUnit.place(machine, { index, config });
      assertHooksSucceeded(await unit.deploy(), `deploy ${unit.name}`);
      return unit;
    }),
  );
}

/** Relates every unit to etcd (`juju integrate flannel etcd`), in parallel as Juju's agents would. */
export async function relateUnits(units: CharmUnit[], etcdUnits: EtcdUnits): Promise<void> {
  await Promise.all(
    units.map(async (unit) => assertHooksSucceeded(await unit.relateEtcd(etcdUnits), `relate ${unit.name}`)),
  );
}

function typeOf(types: ContainerType | ContainerType[], index: number): ContainerType {
  if (!Array.isArray(types)) return types;
  const type = types[index];
  if (type === undefined) throw new Error(`no container-type for machine ${index + 1}`);
  return type;
}

/** Runs update-status on every unit until `./health` exits 0 on all of them; throws with the lines if not. */
export async function waitReady(units: CharmUnit[], timeoutMs = HEALTH_TIMEOUT_MS): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const results = await Promise.all(units.map((unit) => unit.health()));
    if (results.every((r) => r.exitCode === 0)) return results.map((r) => r.stdout.trim());
    if (Date.now() > deadline) {
      const lines = results.map((r, i) => `${units[i]?.name}: ${r.stdout.trim()} ${r.stderr.trim()}`);
      throw new Error(`units not ready after ${timeoutMs / 1000} s:\n${lines.join("\n")}`);
    }
    await Promise.all(units.filter((_, i) => results[i]?.exitCode !== 0).map((unit) => unit.updateStatus()));
    await sleep(1000);
  }
}

/** `./health` on every unit, formatted as `juju exec --application flannel -- ./health` prints it. */
export async function healthLines(units: CharmUnit[]): Promise<string[]> {
  const results = await Promise.all(units.map((unit) => unit.health()));
  return results.map(
    (r, i) =>
      `- MachineId: "${(units[i]?.index ?? 0) + 1}" Stdout: ${r.stdout.trim()} UnitId: ${units[i]?.name}`,
  );
}

/** The subnet (e.g. 10.10.16.1/24) a ready health line reports. */
export function subnetOf(healthLine: string): string {
  const subnet = /subnet:(\S+)/.exec(healthLine)?.[1];
  if (subnet === undefined) throw new Error(`no subnet in health line: ${healthLine}`);
  return subnet;
}

/** Whether an IPv4 address lies inside a CIDR such as 10.10.16.1/24. */
export function inSubnet(address: string, cidr: string): boolean {
  const [base, length] = cidr.split("/");
  const bits = Number(length);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (toNumber(address) & mask) >>> 0 === (toNumber(base ?? "") & mask) >>> 0;
}

function toNumber(address: string): number {
  return address.split(".").reduce((sum, part) => sum * 256 + Number(part), 0);
}

/** Creates and starts a real busybox LXC container; resolves to the DHCP address lxc-net's dnsmasq gave it. */
export async function startLxcContainer(machine: Machine, name: string): Promise<Container> {
  await machine.run(["lxc-create", "-t", "busybox", "-n", name]);
  await machine.run(["lxc-start", "-n", name]);
  const address = await poll(`DHCP address of ${machine.name}/${name}`, 30_000, async () => {
    const info = await machine.exec(["lxc-info", "-n", name, "-iH"]);
    return info.stdout.split("\n").find((line) => /^10\.10\.\d+\.\d+$/.test(line.trim()));
  });
  return { machine, name, kind: "lxc", address: address.trim() };
}

/**
 * An LXC container that starts with its machine and keeps its MAC, so its DHCP address, across starts, as an
 * operator who wants stable container addresses sets it up (Debian's default.conf has no hwaddr).
 */
export async function startPinnedLxcContainer(machine: Machine, name: string): Promise<Container> {
  const container = await startLxcContainer(machine, name);
  const argv = ["lxc-attach", "-n", name, "--", "cat", "/sys/class/net/eth0/address"];
  const extra = `lxc.start.auto = 1\nlxc.net.0.hwaddr = ${(await machine.run(argv)).trim()}\n`;
  await machine.run(["sh", "-c", 'cat >>"$1"', "sh", `/var/lib/lxc/${name}/config`], { stdin: extra });
  return container;
}

/**
 * Starts a container from a `docker import`ed busybox image (built once per machine); resolves to its
 * address. `runArgs` go to `docker run` before the image (e.g. `--restart always`).
 */
export async function dockerContainer(
  machine: Machine,
  name: string,
  runArgs: string[] = [],
): Promise<Container> {
  await ensureDockerImage(machine);
  await machine.run(["docker", "run", "-d", "--name", name, ...runArgs, DOCKER_IMAGE, "sleep", "3600"]);
  const address = (
    await machine.run(["docker", "inspect", "-f", "{{.NetworkSettings.IPAddress}}", name])
  ).trim();
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(address)) throw new Error(`${name} has no address: '${address}'`);
  return { machine, name, kind: "docker", address };
}

// busybox plus exactly the libraries ldd lists, so the image holds nothing that was not asked for.
const IMAGE_SCRIPT = `set -e
docker image inspect ${DOCKER_IMAGE} >/dev/null 2>&1 && exit 0
root=/var/lib/e2e-image; rm -rf "$root"; mkdir -p "$root/bin"
cp /bin/busybox "$root/bin/busybox"
for lib in $(ldd /bin/busybox | grep -o '/[^ ]*'); do mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"; done
for applet in sh ping sleep ip cat nc; do ln -s busybox "$root/bin/$applet"; done
tar -C "$root" -c . | docker import - ${DOCKER_IMAGE} >/dev/null
rm -rf "$root"`;

async function ensureDockerImage(machine: Machine) {
  await machine.run(["sh", "-c", IMAGE_SCRIPT]);
}

/** The machine itself as a ping source (container-type none: it only routes into the overlay). */
export function machineItself(machine: Machine, address: string): Container {
  return { machine, name: machine.name, kind: "none", address };
}

/** argv that runs a command inside a container (or in the machine itself for kind none). */
export function inContainer(from: Container, argv: string[]): string[] {
  if (from.kind === "lxc") return ["lxc-attach", "-n", from.name, "--", ...argv];
  if (from.kind === "docker") return ["docker", "exec", from.name, ...argv];
  return argv;
}

/** busybox ping from a container (payload `size` bytes, default 56); counts replies and the average rtt. */
export async function ping(from: Container, to: string, count = 3, size = 56): Promise<PingResult> {
  const flags = ["-c", String(count), "-s", String(size), "-W", "3"];
  const argv = inContainer(from, ["busybox", "ping", ...flags, to]);
  const result = await from.machine.exec(argv);
  const output = `${result.stdout}${result.stderr}`;
  const replies = Number(/(\d+) packets received/.exec(output)?.[1] ?? 0);
  const avg = /min\/avg\/max = [\d.]+\/([\d.]+)\//.exec(output)?.[1];
  return { sent: count, replies, rttMs: avg === undefined ? undefined : Number(avg), output };
}

/** Compiles the don't-fragment ping (test/e2e/dfping.c) statically on the host, once. */
export async function buildDfping(): Promise<string> {
  await mkdir(join(REPO_ROOT, "build/harness"), { recursive: true });
  // Two world files may build it at once: each compiles to a file of its own and renames it into place.
  const partial = `${DFPING_HOST}.${process.pid}`;
  await execa("gcc", ["-O2", "-static", "-o", partial, join(REPO_ROOT, "test/e2e/dfping.c")]);
  await rename(partial, DFPING_HOST);
  return DFPING_HOST;
}

/** One ICMP echo of `payload` bytes with DF forced (IP_PMTUDISC_DO) from inside a container. */
export async function dfPing(from: Container, to: string, payload: number) {
  if (from.kind === "lxc") {
    const rootfs = `/var/lib/lxc/${from.name}/rootfs`;
    await from.machine.copyIn(DFPING_HOST, `${rootfs}${DFPING_GUEST}`);
  } else if (from.kind === "docker") {
    await from.machine.copyIn(DFPING_HOST, "/var/lib/dfping");
    await from.machine.run(["docker", "cp", "/var/lib/dfping", `${from.name}:${DFPING_GUEST}`]);
  } else {
    await from.machine.copyIn(DFPING_HOST, DFPING_GUEST);
  }
  const result = await from.machine.exec(inContainer(from, [DFPING_GUEST, to, String(payload)]));
  return { ok: result.exitCode === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

const COUNTER_COMMENT = "e2e-source-check";

/**
 * Counts, in the receiving machine's FORWARD chain, echo requests from exactly `source` to `destination`:
 * if anything on the way had NATed the sender, the count would stay 0.
 */
export async function watchSource(receiver: Machine, source: string, destination: string) {
  const rule = ["-s", source, "-d", destination, "-p", "icmp", "--icmp-type", "echo-request"];
  const tag = ["-m", "comment", "--comment", `${COUNTER_COMMENT}-${source}`];
  await receiver.run(["iptables", "-w", "-I", "FORWARD", "1", ...rule, ...tag]);
  return {
    async count(): Promise<number> {
      const listing = await receiver.run(["iptables", "-w", "-nvx", "-L", "FORWARD"]);
      const line = listing.split("\n").find((l) => l.includes(`${COUNTER_COMMENT}-${source} `));
      return Number(line?.trim().split(/\s+/)[0] ?? 0);
    },
    async remove() {
      await receiver.exec(["iptables", "-w", "-D", "FORWARD", ...rule, ...tag]);
    },
  };
}

export function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function poll<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}
