import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import { Etcd, type EtcdOptions } from "./etcd";
import { ensureImage, type ProgressFn } from "./image";
import { writeLauncher } from "./launcher-script";
import { claimWorld, cleanLeftovers, cleanWorld, killQuietly, worldDir } from "./leftovers";
import { Machine } from "./machine";
import { attachToUnderlay, createNetns, createUnderlay, UNDERLAY_PREFIX } from "./netns";
import type { ExecResult } from "./run";
import { track, untrack } from "./signals";

export type { ExecOptions } from "./machine";
export { Machine } from "./machine";
export type { ExecResult } from "./run";

export interface WorldOptions {
  /** How many machines: m1, m2, … at 198.51.100.11, .12, … */
  machines: number;
  etcd?: EtcdOptions;
  /** MTU of every machine's underlay link (default 1500). */
  mtu?: number;
  /** Run Docker in the machines (default true); false masks it and boots in about half the time. */
  docker?: boolean;
  /** Where image-build progress goes (default: stderr). */
  progress?: ProgressFn;
}

export interface WorldTimings {
  /** Finding or building the base image. */
  imageMs: number;
  /** Booting all machines in parallel, launch to last `running`. */
  bootMs: number;
}

const FIRST_HOST = 11;

/** Booted machines on a private underlay with an etcd: the place the charm's end-to-end tests run. */
export class World {
  readonly machines: Machine[] = [];
  etcd!: Etcd;
  readonly timings: WorldTimings = { imageMs: 0, bootMs: 0 };
  private tearingDown: Promise<void> | undefined;

  private constructor(
    /** Six hex digits; every namespace, cgroup and directory of this world is named after it. */
    readonly id: string,
    private readonly options: WorldOptions,
  ) {}

  /** Cleans a crashed run's leftovers, ensures the image, and boots the world. Tears down if anything fails. */
  static async boot(options: WorldOptions): Promise<World> {
    await cleanLeftovers();
    const started = Date.now();
    const lowerDir = await ensureImage(options.progress);
    const world = new World(randomBytes(3).toString("hex"), options);
    world.timings.imageMs = Date.now() - started;
    track(world);
    try {
      await world.create(lowerDir);
    } catch (error) {
      await world.teardown();
      throw error;
    }
    return world;
  }

  /** The machine called `name` ("m1", …). */
  machine(name: string): Machine {
    const found = this.machines.find((m) => m.name === name);
    if (!found)
      throw new Error(`no machine ${name} in this world (${this.machines.map((m) => m.name).join(", ")})`);
    return found;
  }

  /** Runs etcdctl (v3 API) against the world's etcd, from inside etcd's namespace (stdin: a put's value). */
  etcdctl(args: readonly string[], stdin?: string): Promise<ExecResult> {
    return this.etcd.etcdctl(args, stdin);
  }

  /** Kills the machines, stops etcd, deletes namespaces, cgroups and disks. Safe to call more than once. */
  teardown(): Promise<void> {
    this.tearingDown ??= this.destroy();
    return this.tearingDown;
  }

  /** For process exit: SIGKILL what still runs; the next World.boot removes the rest. */
  killSync(): void {
    const pids = [...this.machines.map((m) => m.leaderPid), ...(this.etcd?.pids ?? [])];
    for (const pid of pids) if (pid) killQuietly(pid);
  }

  private name(suffix: string): string {
    return `fcw-${this.id}-${suffix}`;
  }

  private async create(lowerDir: string): Promise<void> {
    await claimWorld(this.id);
    const launcher = await writeLauncher(worldDir(this.id));
    await createUnderlay(this.name("ul"));
    for (let i = 0; i < this.options.machines; i++)
      this.machines.push(await this.addMachine(i, lowerDir, launcher));
    const etcdDir = join(worldDir(this.id), "etcd");
    const etcd = Etcd.create(this.name("ul"), this.name("etcd"), etcdDir, this.options.etcd ?? {});
    const started = Date.now();
    const [created] = await Promise.all([etcd, ...this.machines.map((m) => m.start())]);
    this.etcd = created;
    this.timings.bootMs = Date.now() - started;
  }

  private async addMachine(index: number, lowerDir: string, launcher: string): Promise<Machine> {
    const name = `m${index + 1}`;
    const spec = {
      name,
      address: `${UNDERLAY_PREFIX}.${FIRST_HOST + index}`,
      underlay: this.name("ul"),
      netns: this.name(name),
      cgroup: this.name(name),
      lowerDir,
      machineDir: join(worldDir(this.id), name),
      uuid: randomUUID(),
    };
    await createNetns(spec.netns);
    await attachToUnderlay({ ...spec, port: name, mtu: this.options.mtu });
    const machine = new Machine(spec, launcher);
    await machine.prepare({ docker: this.options.docker !== false });
    return machine;
  }

  private async destroy(): Promise<void> {
    await Promise.allSettled(this.machines.map((m) => m.kill()));
    await this.etcd?.stop();
    await cleanWorld(this.id);
    untrack(this);
  }
}
