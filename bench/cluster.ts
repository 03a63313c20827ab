// A world of booted machines with the packed charm on each, as the network benchmarks need it.
import type { Backend } from "../src/config/charm-config";
import { assertHooksSucceeded, CharmUnit } from "../test/support/charm-unit";
import {
  type Container,
  etcdUnitsFor,
  relateUnits,
  startLxcContainer,
  subnetOf,
  waitReady,
} from "../test/support/overlay";
import { World } from "../test/world/world";
import { inBatches } from "./stats";

export interface Cluster {
  world: World;
  units: CharmUnit[];
  /** Every unit's ready health line, in machine order. */
  health: string[];
  /** First hook (install) to every unit's ./health saying ready. */
  readyMs: number;
  /** Where readyMs went: deploy hooks, relation hooks, then waiting (update-status) until ready. */
  phasesMs: { deploy: number; relate: number; settle: number };
  /** Copying the charm and its resource into the machines, before the first hook (not in readyMs). */
  placeMs: number;
  backend: Backend;
}

export interface ClusterOptions {
  machines: number;
  backend: Backend;
  /** Slow worlds (many machines) get longer than the tests' 3 minutes. */
  readyTimeoutMs?: number;
  /** The unpacked charm per machine index where it is not build/flannel (an earlier build, to compare). */
  charmBuildDirs?: Record<number, string>;
}

/** Boots a world, deploys and relates the charm on every machine (LXC bridges), waits for all ready. */
export async function bootCluster(options: ClusterOptions): Promise<Cluster> {
  const world = await World.boot({ machines: options.machines, docker: false });
  try {
    const config = { "container-type": "lxc", backend: options.backend };
    // Copying the charm and flanneld (the resource, 45 MB) into every machine is the world's work, not
    // the hooks': it happens before the clock starts (5+ minutes for 64 machines on 2 busy cores).
    const placing = Date.now();
    const units = await Promise.all(
      world.machines.map((machine, index) =>
        CharmUnit.place(machine, { index, config, charmBuildDir: options.charmBuildDirs?.[index] }),
      ),
    );
    const started = Date.now();
    await Promise.all(
      units.map(async (unit) => assertHooksSucceeded(await unit.deploy(), `deploy ${unit.name}`)),
    );
    const deployed = Date.now();
    await relateUnits(units, etcdUnitsFor(world, "legacy"));
    const related = Date.now();
    const health = await waitReady(units, options.readyTimeoutMs);
    const ready = Date.now();
    const phasesMs = { deploy: deployed - started, relate: related - deployed, settle: ready - related };
    const placeMs = started - placing;
    return { world, units, health, readyMs: ready - started, phasesMs, placeMs, backend: options.backend };
  } catch (error) {
    await world.teardown();
    throw error;
  }
}

/** Runs fn on a cluster and always tears the world down. */
export async function withCluster<T>(options: ClusterOptions, fn: (c: Cluster) => Promise<T>): Promise<T> {
  const cluster = await bootCluster(options);
  try {
    return await fn(cluster);
  } finally {
    await cluster.world.teardown();
  }
}

/** One LXC container per unit, a few started at a time. */
export function startContainers(cluster: Cluster): Promise<Container[]> {
  return inBatches(cluster.units, (unit) => startLxcContainer(unit.machine, `b${unit.index + 1}`));
}

/** The bridge (lxcbr0) address of unit i: the machine's own address on the overlay. */
export function bridgeAddress(cluster: Cluster, index: number): string {
  return subnetOf(cluster.health[index] ?? "").split("/")[0] ?? "";
}
