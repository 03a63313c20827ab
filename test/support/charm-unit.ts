import { basename } from "node:path";
import {
  DEFAULT_MODEL_PATH,
  EMULATOR_DIR,
  type Model as EmulatedModel,
  JUJU_EXEC_PATH,
  type SecretRecord,
} from "../emulator/model";
import type { Machine } from "../world/world";
import { JUJU_EXEC_SCRIPT } from "./juju-exec";
import { CHARM_BUILD_DIR, EMULATOR_BUNDLE, FLANNELD_BINARY, JUJUC_CLIENT } from "./paths";

const EMULATOR = `${EMULATOR_DIR}/emulator.cjs`;
const JUJUC = `${EMULATOR_DIR}/jujuc`;
/** jujuc under the operator's name: forwards `deploy`, `config`, … to the agent. */
const OPERATOR = `${EMULATOR_DIR}/juju-emulator`;
const AGENT_SOCKET = `${EMULATOR_DIR}/agent.socket`;
const AGENT_UNIT = "juju-emulator-agent";
const AGENT_ENV = { JUJU_AGENT_SOCKET_ADDRESS: AGENT_SOCKET, JUJU_AGENT_SOCKET_NETWORK: "unix" };
const AGENT_START_TIMEOUT_MS = 60_000;

/** One hook-tool call of a hook, as the agent recorded it. */
export interface ToolCallRecord {
  tool: string;
  argv: string[];
  exitCode: number;
  /** Whole call: client start to the agent's answer. */
  ms: number;
  /** Start of the call, ms after the hook's context opened. */
  atMs: number;
}

export interface HookRun {
  hook: string;
  ran: boolean;
  exitCode: number;
  stdout: string;
  stderr: string;
  diff: { statuses: { status: string; message: string }[]; logs: { level: string; message: string }[] };
  /** The hook's tool calls in order (always set by the agent; optional for results built by hand). */
  calls?: ToolCallRecord[];
  /** Wall time of the hook process (always set by the agent). */
  durationMs?: number;
  /** The charm's own timing of its waits, when the operation ran with `--trace` (FLANNEL_CHARM_TRACE). */
  spans?: { span: "systemctl" | "etcd" | "lease-wait"; ms: number }[];
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
  /** The unpacked charm to deploy (default build/flannel); the bench deploys an earlier build beside it. */
  charmBuildDir?: string;
}

/** Relation data of etcd units, as the etcd charm publishes it. */
export type EtcdUnits = Record<string, Record<string, string>>;

/**
 * A flannel unit inside a booted machine: the packed charm unpacked where a Juju agent keeps it, driven
 * by the machine's emulated unit agent (a systemd service inside the machine, so it dies with the
 * machine), whose hook tools are jujuc links on the hooks' PATH.
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
    this.model = DEFAULT_MODEL_PATH;
  }

  /** Copies the charm in, starts the machine's agent if needed and creates the unit's model (no hook runs). */
  static async place(machine: Machine, options: UnitOptions): Promise<CharmUnit> {
    const unit = new CharmUnit(machine, options.index);
    unit.emulatorNode = options.emulatorNode ?? "node";
    await machine.copyIn(options.charmBuildDir ?? CHARM_BUILD_DIR, unit.charmDir);
    await ensureAgent(machine, unit.emulatorNode);
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
    return this.operateWithStdin(undefined, op, ...args);
  }

  /**
   * A remote unit's relation settings change (relation-changed runs). They travel on stdin, not argv:
   * Juju's controller hands a unit relation data of any size, and one argv element is capped at 128 KiB.
   */
  remoteChange(relationId: number | string, remoteUnit: string, data: Record<string, string>) {
    const args = ["--relation-id", String(relationId), "--unit", remoteUnit, "--data-file", "-"];
    return this.operateWithStdin(JSON.stringify(data), "remote-change", ...args);
  }

  /** The remote application's bag changes (relation-changed with no remote unit); data on stdin. */
  remoteAppChange(relationId: number | string, data: Record<string, string>) {
    const args = ["--relation-id", String(relationId), "--data-file", "-"];
    return this.operateWithStdin(JSON.stringify(data), "remote-change", ...args);
  }

  /** The controller hands this unit a secret record (content on stdin, never argv); no hook runs. */
  putSecret(record: SecretRecord) {
    return this.operateWithStdin(JSON.stringify(record), "secret-put", "--data-file", "-");
  }

  /** A remote owner adds a revision of a secret this unit reads (secret-changed if it tracks one). */
  secretChanged(uri: string, content: Record<string, string>) {
    const args = ["--uri", uri, "--data-file", "-"];
    return this.operateWithStdin(JSON.stringify(content), "secret-changed", ...args);
  }

  /** Juju tells the owner (the leader, for an application's secret) that a revision reached its expire time. */
  secretExpired(uri: string) {
    return this.operate("secret-expired", "--uri", uri);
  }

  private async operateWithStdin(stdin: string | undefined, op: string, ...args: string[]) {
    const argv = [op, "--model", this.model, "--charm-dir", this.charmDir, ...args];
    return JSON.parse(await this.emulator(argv, stdin)) as OperationResult;
  }

  /** The machine's agent socket, for tests that call hook tools or the protocol directly. */
  static readonly agentSocket = AGENT_SOCKET;

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
  /** The id of the unit's etcd relation (the peer relation exists from deploy, so it need not be first). */
  async etcdRelationId(): Promise<string> {
    const relation = (await this.readModel()).relations.find((r) => r.name === "etcd");
    if (relation === undefined) throw new Error(`${this.name} has no etcd relation`);
    return String(relation.id);
  }

  /** Runs ./health in the charm dir, as `juju exec --application flannel -- ./health` does. */
  health() {
    return this.machine.exec([`${this.charmDir}/health`], { cwd: this.charmDir });
  }

  private async emulator(args: string[], stdin?: string): Promise<string> {
    let result = await callAgent(this.machine, args, stdin);
    // The agent is gone after a reboot (or was stopped): start it again, as jujud restarts with the machine.
    if (result.exitCode !== 0 && result.stderr.includes("cannot reach the unit agent")) {
      await ensureAgent(this.machine, this.emulatorNode);
      result = await callAgent(this.machine, args, stdin);
    }
    if (result.exitCode !== 0) {
      throw new Error(`emulator ${args[0]} failed (${result.exitCode}): ${result.stdout}\n${result.stderr}`);
    }
    return result.stdout;
  }
}

function callAgent(machine: Machine, args: string[], stdin?: string) {
  return machine.exec([OPERATOR, ...args], {
    direct: true,
    env: AGENT_ENV,
    ...(stdin === undefined ? {} : { stdin }),
  });
}

async function agentAnswers(machine: Machine): Promise<boolean> {
  return (await callAgent(machine, ["ping"])).exitCode === 0;
}

/**
 * Starts the machine's agent (once; later units on the machine share it) as a transient systemd service
 * inside the machine, and waits until it answers.
 */
export async function ensureAgent(machine: Machine, node = "node"): Promise<void> {
  if (await agentAnswers(machine)) return;
  await machine.copyIn(EMULATOR_BUNDLE, EMULATOR);
  await machine.copyIn(JUJUC_CLIENT, `${JUJUC}.new`);
  await machine.run(["mv", "-f", `${JUJUC}.new`, JUJUC], { direct: true });
  await machine.run(["ln", "-sfn", JUJUC, OPERATOR], { direct: true });
  await machine.writeFile(JUJU_EXEC_PATH, JUJU_EXEC_SCRIPT, 0o755);
  const agent = [node, EMULATOR, "agent", "--socket", AGENT_SOCKET, "--bin-dir", `${EMULATOR_DIR}/bin`];
  const start = ["systemd-run", "--quiet", "--collect", `--unit=${AGENT_UNIT}`, "--", ...agent];
  const started = await machine.exec([...start, "--jujuc", JUJUC], { direct: true });
  // A second caller racing this one finds the unit already there: it only has to wait.
  if (started.exitCode !== 0 && !started.stderr.includes("already")) {
    throw new Error(`starting the unit agent failed (${started.exitCode}): ${started.stderr}`);
  }
  const deadline = Date.now() + AGENT_START_TIMEOUT_MS;
  while (!(await agentAnswers(machine))) {
    if (Date.now() > deadline) throw new Error(`${machine.name}: the unit agent did not answer in 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
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
