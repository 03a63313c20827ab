import { basename } from "node:path";
import type { Model as EmulatedModel } from "../emulator/model";
import type { Machine } from "../world/world";
import { CHARM_BUILD_DIR, EMULATOR_BUNDLE, FLANNELD_BINARY } from "./paths";

const EMULATOR_DIR = "/var/lib/juju-emulator";
const EMULATOR = `${EMULATOR_DIR}/emulator.cjs`;

export interface HookRun {
  hook: string;
  ran: boolean;
  exitCode: number;
  stdout: string;
  stderr: string;
  diff: { statuses: { status: string; message: string }[]; logs: { level: string; message: string }[] };
}

export interface OperationResult {
  hooks: HookRun[];
  error: { hook: string } | null;
  relationId?: number;
}

export interface UnitOptions {
  /** Unit number: flannel/N on machine N+1. */
  index: number;
  /** Attach the real flanneld as the `flannel` resource (default), another file, or nothing. */
  resource?: string | false;
  config?: Record<string, string | number | boolean>;
  /** More resources to attach: name -> host file (e.g. the `node` tarball). */
  resources?: Record<string, string>;
  /** The node the emulator runs with (default `node` on PATH), for machines whose node the test hides. */
  emulatorNode?: string;
}

/** Relation data of etcd units, as the etcd charm publishes it. */
export type EtcdUnits = Record<string, Record<string, string>>;

/**
 * A flannel unit inside a booted machine: the packed charm unpacked where a Juju agent keeps it, driven
 * through the emulated hook tools exactly as the agent drives it.
 */
export class CharmUnit {
  readonly name: string;
  readonly charmDir: string;
  private readonly model: string;
  private emulatorNode = "node";

  private constructor(
    readonly machine: Machine,
    readonly index: number,
  ) {
    this.name = `flannel/${index}`;
    this.charmDir = `/var/lib/juju/agents/unit-flannel-${index}/charm`;
    this.model = `${EMULATOR_DIR}/model.json`;
  }

  /** Copies the charm and the emulator in and creates the unit's model (nothing runs yet). */
  static async place(machine: Machine, options: UnitOptions): Promise<CharmUnit> {
    const unit = new CharmUnit(machine, options.index);
    unit.emulatorNode = options.emulatorNode ?? "node";
    await machine.copyIn(CHARM_BUILD_DIR, unit.charmDir);
    await machine.copyIn(EMULATOR_BUNDLE, EMULATOR);
    const resources: Record<string, string> = {};
    if (options.resource !== false) {
      resources.flannel = `/var/lib/juju/agents/unit-flannel-${options.index}/resources/flannel/flanneld`;
      await machine.copyIn(options.resource ?? FLANNELD_BINARY, resources.flannel);
    }
    for (const [name, hostPath] of Object.entries(options.resources ?? {})) {
      resources[name] =
        `/var/lib/juju/agents/unit-flannel-${options.index}/resources/${name}/${basename(hostPath)}`;
      await machine.copyIn(hostPath, resources[name]);
    }
    const model = {
      unitName: unit.name,
      machineId: String(options.index + 1),
      privateAddress: machine.address,
      publicAddress: machine.address,
      leader: options.index === 0,
      config: options.config ?? {},
      resources,
    };
    await unit.emulator(["init", "--model", unit.model, "--json", JSON.stringify(model)]);
    return unit;
  }

  /** Runs one model operation (deploy, config, relate, …) and returns what its hooks did. */
  async operate(op: string, ...args: string[]): Promise<OperationResult> {
    const stdout = await this.emulator([op, "--model", this.model, "--charm-dir", this.charmDir, ...args]);
    return JSON.parse(stdout) as OperationResult;
  }

  deploy() {
    return this.operate("deploy");
  }

  configure(values: Record<string, string | number | boolean>) {
    return this.operate("config", ...Object.entries(values).map(([key, value]) => `${key}=${value}`));
  }

  /** Relates to etcd (relation-created, then -joined and -changed per etcd unit). */
  relateEtcd(units: EtcdUnits): Promise<OperationResult> {
    const json = JSON.stringify({ interface: "etcd", remoteUnits: units });
    return this.operate("relate", "--name", "etcd", "--remote-app", "etcd", "--json", json);
  }

  updateStatus() {
    return this.operate("update-status");
  }

  /** The unit's workload status as the hooks last set it. */
  async status(): Promise<{ status: string; message: string }> {
    const model = JSON.parse(await this.machine.readFile(this.model));
    return model.unitStatus;
  }

  /** The unit's whole emulated model (relations, statuses, logs) as the hooks left it. */
  async readModel(): Promise<EmulatedModel> {
    return JSON.parse(await this.machine.readFile(this.model)) as EmulatedModel;
  }

  /** Runs ./health in the charm dir, as `juju exec --application flannel -- ./health` does. */
  health() {
    return this.machine.exec([`${this.charmDir}/health`], { cwd: this.charmDir });
  }

  private async emulator(args: string[]): Promise<string> {
    const result = await this.machine.exec([this.emulatorNode, EMULATOR, ...args]);
    if (result.exitCode !== 0) {
      throw new Error(`emulator ${args[0]} failed (${result.exitCode}): ${result.stdout}\n${result.stderr}`);
    }
    return result.stdout;
  }
}

/** Throws, naming each failed hook and its stderr, unless every hook of the operation exited 0. */
export function assertHooksSucceeded(result: OperationResult, what = "operation") {
  const failed = result.hooks.filter((hook) => hook.exitCode !== 0);
  if (failed.length > 0 || result.error) {
    const hooks = failed.map((hook) => `${hook.hook} exited ${hook.exitCode}: ${hook.stderr}`).join("; ");
    throw new Error(`${what}: ${hooks || `unit in error (${result.error?.hook})`}`);
  }
}

/** etcd relation data in the 2014 etcd charm's shape. */
export function legacyEtcdData(host: string, port: number): EtcdUnits {
  return { "etcd/0": { hostname: host, port: String(port) } };
}

/** etcd relation data in the modern etcd charm's shape, with client certificates. */
export function modernEtcdData(endpoint: string, tls?: { ca: string; cert: string; key: string }): EtcdUnits {
  const data: Record<string, string> = { connection_string: endpoint };
  if (tls) Object.assign(data, { client_ca: tls.ca, client_cert: tls.cert, client_key: tls.key });
  return { "etcd/0": data };
}
