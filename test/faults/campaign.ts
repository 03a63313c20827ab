import type { CharmUnit, OperationResult } from "../support/charm-unit";
import { sleep } from "../support/overlay";
import type { World } from "../world/world";
import { metricsLine, recordRecovered } from "./metrics";
import { type Pinger, type PingLog, recoverySeconds } from "./pinger";
import { recordResult, type ScenarioResult } from "./report";

// What every fault scenario measures: hook errors, lease violations, packets lost, recovery time, and what
// ./health and the workload status said. Assertions are collected so the result is written even on failure.

export const NETWORK_PREFIX = "/coreos.com/network";

/** A unit under test and the address its lease must carry. */
export interface TrackedUnit {
  unit: CharmUnit;
  publicIp: string;
}

export class Scenario {
  hookErrors = 0;
  readonly notes: string[] = [];
  private readonly failures: string[] = [];
  private pingsLost = 0;
  private recovery: number | null = null;
  private readonly metrics: Record<string, string[]> = {};

  constructor(readonly name: string) {}

  /** Runs a model operation and counts every hook that exited non-zero (or left the unit in error). */
  async hook(what: string, operation: Promise<OperationResult>): Promise<OperationResult> {
    const result = await operation;
    const failed = result.hooks.filter((hook) => hook.exitCode !== 0);
    this.hookErrors += failed.length + (failed.length === 0 && result.error ? 1 : 0);
    for (const hook of failed)
      this.fail(`${what}: hook ${hook.hook} exited ${hook.exitCode}: ${hook.stderr.trim()}`);
    return result;
  }

  /** Notes a check; a false condition fails the scenario with `message`. */
  check(condition: boolean, message: string): void {
    if (!condition) this.fail(message);
  }

  fail(message: string): void {
    this.failures.push(message);
  }

  note(message: string): void {
    this.notes.push(message);
  }

  /** Records what every unit's metrics say now, under `label` (e.g. "during", "after"). */
  async recordMetrics(label: string, units: readonly CharmUnit[]): Promise<string[]> {
    const lines = await Promise.all(units.map((unit) => metricsLine(unit)));
    this.metrics[label] = lines;
    return lines;
  }

  /** Adds a ping log's losses; the recovery figure is the longest over the logs given. */
  addPings(log: PingLog, recoverySeconds: number): void {
    this.pingsLost += log.lost;
    this.recovery = Math.max(this.recovery ?? 0, recoverySeconds);
    this.note(
      `${log.from}: ${log.replies.length} replies, ${log.lost} lost, answering again ${recoverySeconds} s after the fault`,
    );
  }

  /** Adds packets lost by short pings (no continuous log). */
  addPingCount(lost: number): void {
    this.pingsLost += lost;
  }

  setRecovery(seconds: number | null): void {
    this.recovery = seconds;
  }

  /** Writes the result to build/faults.json, prints its row, and returns the failures (empty when passed). */
  async finish(leaseViolations: string[], error?: unknown): Promise<string[]> {
    for (const violation of leaseViolations) this.fail(`lease violation: ${violation}`);
    if (error !== undefined) this.fail(`aborted: ${error instanceof Error ? error.message : String(error)}`);
    const result: ScenarioResult = {
      name: this.name,
      passed: this.failures.length === 0,
      hookErrors: this.hookErrors,
      leaseViolations: leaseViolations.length,
      pingsLost: this.pingsLost,
      recoverySeconds: this.recovery,
      notes: [...this.notes, ...this.failures.map((f) => `FAILED: ${f}`)],
      ...(Object.keys(this.metrics).length > 0 ? { metrics: this.metrics } : {}),
    };
    await recordResult(result);
    return this.failures;
  }
}

/**
 * Runs a scenario body, records what the metrics of `units` (read when the body ends: some scenarios
 * place them) say once it recovered, then checks leases and records the result whatever happened; throws
 * on failure.
 */
export async function runScenario(
  name: string,
  leases: () => Promise<string[]>,
  units: () => readonly CharmUnit[],
  body: (scenario: Scenario) => Promise<void>,
): Promise<Scenario> {
  const scenario = new Scenario(name);
  let error: unknown;
  try {
    await body(scenario);
    await recordRecovered(scenario, units());
  } catch (caught) {
    error = caught;
  }
  const violations = await leases().catch((e: unknown) => [`could not read leases: ${String(e)}`]);
  const failures = await scenario.finish(violations, error);
  if (failures.length > 0) throw new Error(`${name} failed:\n${failures.join("\n")}`);
  return scenario;
}

/** Lease keys in etcd (e.g. 10.10.16.0-24) and the PublicIP each carries. */
export async function readLeases(world: World, prefix = NETWORK_PREFIX): Promise<Map<string, string>> {
  const result = await world.etcdctl(["get", "--prefix", `${prefix}/subnets/`]);
  if (result.exitCode !== 0) throw new Error(`etcdctl get failed: ${result.stderr.trim()}`);
  const lines = result.stdout.split("\n").filter((line) => line.trim() !== "");
  const leases = new Map<string, string>();
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const key = (lines[i] ?? "").slice(`${prefix}/subnets/`.length);
    leases.set(key, String(JSON.parse(lines[i + 1] ?? "{}").PublicIP));
  }
  return leases;
}

/** The subnet flanneld wrote in the unit's subnet.env (10.10.16.1/24), undefined without one. */
export async function heldSubnet(unit: CharmUnit): Promise<string | undefined> {
  const result = await unit.machine.exec(["cat", "/run/flannel/subnet.env"], { direct: true });
  return /^FLANNEL_SUBNET=(\S+)$/m.exec(result.stdout)?.[1];
}

/** 10.10.16.1/24 -> 10.10.16.0-24, the lease key flanneld uses. */
export function leaseKeyOf(subnet: string): string {
  const [address = "", length] = subnet.split("/");
  const parts = address.split(".");
  parts[3] = "0";
  return `${parts.join(".")}-${length}`;
}

/**
 * Every way the leases can be wrong: two units on one subnet, a unit whose subnet changed when it should
 * have kept it (`kept`), a unit whose subnet is not leased to its address in etcd, an address holding more
 * than one lease (an old one left behind).
 */
export async function leaseViolations(
  world: World,
  units: TrackedUnit[],
  kept: Map<CharmUnit, string> = new Map(),
  prefix = NETWORK_PREFIX,
): Promise<string[]> {
  const leases = await readLeases(world, prefix);
  const violations: string[] = [];
  const holders = new Map<string, string>();
  for (const { unit, publicIp } of units) {
    const subnet = await heldSubnet(unit);
    if (subnet === undefined) {
      violations.push(`${unit.name} holds no subnet`);
      continue;
    }
    const other = holders.get(subnet);
    if (other) violations.push(`subnet ${subnet} held by ${other} and ${unit.name}`);
    holders.set(subnet, unit.name);
    const wanted = kept.get(unit);
    if (wanted !== undefined && wanted !== subnet)
      violations.push(`${unit.name} lost ${wanted} (now ${subnet})`);
    const owner = leases.get(leaseKeyOf(subnet));
    if (owner !== publicIp)
      violations.push(`${unit.name}'s ${subnet} is leased in etcd to ${owner ?? "nobody"}, not ${publicIp}`);
  }
  const perIp = new Map<string, string[]>();
  for (const [key, ip] of leases) perIp.set(ip, [...(perIp.get(ip) ?? []), key]);
  for (const [ip, keys] of perIp)
    if (keys.length > 1) violations.push(`${ip} holds ${keys.length} leases: ${keys.join(", ")}`);
  return violations;
}

/** Samples `./health` on a unit every ~300 ms while `during` runs; returns each distinct line once, in order. */
export async function sampleHealth<T>(
  unit: CharmUnit,
  during: Promise<T>,
): Promise<{ value: T; lines: string[] }> {
  const lines: string[] = [];
  let done = false;
  const watcher = (async () => {
    while (!done) {
      const result = await unit.health().catch((e: unknown) => ({ stdout: `(health failed: ${String(e)})` }));
      const line = result.stdout.trim();
      if (!lines.includes(line)) lines.push(line);
      await sleep(300);
    }
  })();
  try {
    const value = await during;
    return { value, lines };
  } finally {
    done = true;
    await watcher;
  }
}

/** `./health` now, as one trimmed line. */
export async function healthLine(unit: CharmUnit): Promise<string> {
  return (await unit.health()).stdout.trim();
}

/** The workload status as `juju status` would show it: "state: message". */
export async function statusLine(unit: CharmUnit): Promise<string> {
  const status = await unit.status();
  return `${status.status}: ${status.message}`;
}

/** How long the overlay may take to answer again after a fault before the scenario fails. */
export const RECOVERY_TIMEOUT_MS = 120_000;

/** Stops a pinger once the overlay answered again past `faultEndMs`, and adds its figures to `s`. */
export async function settle(s: Scenario, pinger: Pinger, faultEndMs: number): Promise<PingLog> {
  const back = await pinger.waitForReplyAfter(faultEndMs, RECOVERY_TIMEOUT_MS);
  const log = await pinger.stop();
  s.check(
    back,
    `${pinger.label}: no steady replies within ${RECOVERY_TIMEOUT_MS / 1000} s of the fault's end`,
  );
  s.addPings(log, recoverySeconds(log, faultEndMs));
  return log;
}

/**
 * Runs update-status and checks it was a no-op: it exited 0, `snapshot` (what the hook could touch) reads
 * the same after as before, and the unit is active.
 */
export async function expectNoOpHook(
  s: Scenario,
  unit: CharmUnit,
  what: string,
  snapshot: () => Promise<string>,
): Promise<void> {
  const before = await snapshot();
  const result = await s.hook(what, unit.updateStatus());
  const after = await snapshot();
  const status = await statusLine(unit);
  s.check(after === before, `${what} changed the machine:\n${before}\n---\n${after}`);
  s.check(status.startsWith("active: "), `${unit.name} after ${what}: ${status}`);
  const exits = result.hooks.map((h) => h.exitCode).join(",");
  s.note(`${what}: exit ${exits}, ${after === before ? "nothing changed" : "CHANGED"}; status '${status}'`);
}

/** FLANNEL_MTU from the unit's subnet.env (the overlay MTU every bridge must carry). */
export async function leaseMtu(unit: CharmUnit): Promise<number> {
  const env = await unit.machine.run(["cat", "/run/flannel/subnet.env"]);
  return Number(/^FLANNEL_MTU=(\d+)$/m.exec(env)?.[1]);
}

/** A bridge's addresses (10.10.16.1/24, …) and MTU as `ip -j addr` reports them. */
export async function bridgeOf(unit: CharmUnit, name: string): Promise<{ addresses: string[]; mtu: number }> {
  const link = JSON.parse(await unit.machine.run(["ip", "-j", "addr", "show", "dev", name]))[0];
  const addresses = link.addr_info.map(
    (a: { local: string; prefixlen: number }) => `${a.local}/${a.prefixlen}`,
  );
  return { addresses, mtu: link.mtu };
}
