// `juju status` for a world whose machines run the charm under the emulator: reads each unit's model file
// inside its machine and asks etcd itself (from a machine, with etcdctl) whether it answers.
import { buildStatus, type EtcdView, type MachineView } from "../emulator/juju-status";
import { createModel, DEFAULT_MODEL_PATH, type Model } from "../emulator/model";
import { renderTabular } from "../emulator/status-tabular";
import { ETCD_ADDRESS } from "../world/etcd";
import type { ExecResult } from "../world/run";

const ETCD_PORT = 2379;

/** A machine to read from: a live `Machine`, or one of a kept world entered by its leader PID. */
export interface Guest {
  readonly name: string;
  readonly address: string;
  readonly leaderPid: number | undefined;
  exec(argv: readonly string[]): Promise<ExecResult>;
}

/** `juju status --relations` for these machines, in Juju 3's tabular layout. */
export async function jujuStatus(guests: readonly Guest[], now = new Date()): Promise<string> {
  const running = guests.filter((g) => g.leaderPid !== undefined);
  const models = await Promise.all(running.map(readUnitModel));
  const units = models.filter((m): m is Model => m !== undefined);
  const machines = guests.map((guest, index) => machineView(guest, index, units));
  const etcd = await probeEtcd(running[0]);
  return renderTabular(buildStatus({ units, machines, etcd, now }));
}

async function readUnitModel(guest: Guest): Promise<Model | undefined> {
  const result = await guest.exec(["cat", DEFAULT_MODEL_PATH]);
  if (result.exitCode !== 0) return undefined;
  return { ...createModel(), ...(JSON.parse(result.stdout) as Partial<Model>) };
}

function machineView(guest: Guest, index: number, units: Model[]): MachineView {
  const unit = units.find((u) => u.privateAddress === guest.address);
  return {
    id: unit?.machineId ?? String(index + 1),
    instId: guest.name,
    address: guest.address,
    running: guest.leaderPid !== undefined,
  };
}

/** etcd's server version, asked from inside a machine as a unit would reach it; undefined if it is down. */
async function probeEtcd(from: Guest | undefined): Promise<EtcdView> {
  const view: EtcdView = { address: ETCD_ADDRESS, port: ETCD_PORT, version: undefined };
  if (from === undefined) return view;
  const endpoint = `http://${ETCD_ADDRESS}:${ETCD_PORT}`;
  const result = await from.exec(["etcdctl", `--endpoints=${endpoint}`, "endpoint", "status", "-w", "json"]);
  if (result.exitCode !== 0) return view;
  const parsed = JSON.parse(result.stdout) as { Status?: { version?: string } }[];
  return { ...view, version: parsed[0]?.Status?.version };
}
