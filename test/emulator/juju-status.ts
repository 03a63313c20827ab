// What `juju status` would say about an emulated model: the units' own model files (what their hooks set)
// plus the machines they run on and the etcd they are related to.
import { appName, type Model, type Status } from "./model";
import type { AppRow, FormattedStatus, MachineRow, RelationRow, StatusInfo, UnitRow } from "./status-tabular";

/** A machine of the model as the world sees it. */
export interface MachineView {
  id: string;
  /** Its name in the world, shown as the instance id (m1, m2, …). */
  instId: string;
  address: string;
  running: boolean;
}

/** The etcd the units relate to: a plain etcd server, shown as Juju shows the etcd application. */
export interface EtcdView {
  address: string;
  port: number;
  /** Server version when it answered, else undefined. */
  version: string | undefined;
}

export interface StatusSources {
  /** One entry per unit model file read from a machine. */
  units: Model[];
  machines: MachineView[];
  etcd: EtcdView;
  now: Date;
}

const BASE = "debian@12";
const ETCD_MACHINE = "0";

// Juju derives an application's status from its most severe unit status.
const SEVERITY: Record<string, number> = {
  error: 100,
  blocked: 90,
  maintenance: 80,
  waiting: 70,
  active: 60,
  terminated: 50,
  unknown: 40,
};

/** Decides every row `juju status --relations` would show. */
export function buildStatus(sources: StatusSources): FormattedStatus {
  const { units, etcd } = sources;
  const first = units.find((u) => u.leader) ?? units[0];
  const etcdUp = etcd.version !== undefined;
  return {
    model: {
      name: first?.modelName ?? "default",
      controller: "emulator",
      cloudRegion: "nspawn/local",
      version: first?.jujuVersion ?? "3.6.0",
      sla: "unsupported",
      timestamp: `${sources.now.toISOString().slice(11, 19)}Z`,
    },
    applications: [...flannelApp(units), etcdApp(etcd)],
    units: [...units.map(unitRow), etcdUnit(etcd)],
    machines: [...sources.machines.map(machineRow), etcdMachine(etcdUp, etcd.address)],
    relations: relationRows(units),
  };
}

/** Workload status, agent status and message of one unit, as the agent reports them. */
export function unitStatus(model: Model): { workload: StatusInfo; agent: string } {
  if (model.error)
    return { workload: { status: "error", message: `hook failed: "${model.error.hook}"` }, agent: "idle" };
  if (model.hookCount === 0)
    return { workload: { status: "waiting", message: "waiting for machine" }, agent: "allocating" };
  return { workload: { ...model.unitStatus }, agent: "idle" };
}

function flannelApp(units: Model[]): AppRow[] {
  const leader = units.find((u) => u.leader) ?? units[0];
  if (leader === undefined) return [];
  const status = leader.appStatus.status !== "unknown" ? leader.appStatus : deriveStatus(units);
  return [
    {
      name: appName(leader.unitName),
      version: units.map((u) => u.applicationVersion).find((v) => v !== "") ?? "",
      status: status.status,
      message: status.message,
      scale: units.length,
      charm: appName(leader.unitName),
      channel: "",
      rev: 0,
      exposed: false,
    },
  ];
}

function deriveStatus(units: Model[]): Status {
  let worst: StatusInfo = { status: "unknown", message: "" };
  for (const unit of units) {
    const { workload } = unitStatus(unit);
    if ((SEVERITY[workload.status] ?? 0) > (SEVERITY[worst.status] ?? 0)) worst = workload;
  }
  return worst as Status;
}

function unitRow(model: Model): UnitRow {
  return {
    name: model.unitName,
    leader: model.leader,
    ...unitStatus(model),
    machine: model.machineId,
    publicAddress: model.publicAddress,
    ports: model.ports,
  };
}

function machineRow(m: MachineView): MachineRow {
  const state = m.running ? "started" : "down";
  const message = m.running ? "Running" : "machine is not running";
  return { id: m.id, state, address: m.address, instId: m.instId, base: BASE, az: "", message };
}

function etcdApp(etcd: EtcdView): AppRow {
  const status = etcdWorkload(etcd);
  return {
    name: "etcd",
    version: etcd.version ?? "",
    ...status,
    scale: 1,
    charm: "etcd",
    channel: "",
    rev: 0,
    exposed: false,
  };
}

function etcdUnit(etcd: EtcdView): UnitRow {
  return {
    name: "etcd/0",
    leader: true,
    workload: etcdWorkload(etcd),
    agent: "idle",
    machine: ETCD_MACHINE,
    publicAddress: etcd.address,
    ports: [`${etcd.port}/tcp`],
  };
}

function etcdWorkload(etcd: EtcdView): StatusInfo {
  if (etcd.version !== undefined) return { status: "active", message: "Healthy" };
  return { status: "unknown", message: `etcd does not answer at ${etcd.address}:${etcd.port}` };
}

function etcdMachine(up: boolean, address: string): MachineRow {
  const state = up ? "started" : "down";
  return {
    id: ETCD_MACHINE,
    state,
    address,
    instId: "etcd",
    base: BASE,
    az: "",
    message: up ? "Running" : "",
  };
}

/** One row per relation the units have, named as `juju integrate` made it (etcd's endpoint is db). */
function relationRows(units: Model[]): RelationRow[] {
  const rows = new Map<string, RelationRow>();
  for (const unit of units)
    for (const relation of unit.relations) {
      const requirer = `${appName(unit.unitName)}:${relation.name}`;
      // Juju names a peer relation's one endpoint on both sides, of type peer.
      const peer = relation.remoteApp === appName(unit.unitName);
      const provider = peer ? requirer : relation.remoteApp === "etcd" ? "etcd:db" : relation.remoteApp;
      rows.set(`${provider} ${requirer}`, {
        provider,
        requirer,
        interface: relation.interface,
        type: peer ? "peer" : "regular",
      });
    }
  // Sorted as Juju lists them, by provider endpoint, so the order does not depend on the models'.
  return [...rows.values()].sort(
    (a, b) => a.provider.localeCompare(b.provider) || a.requirer.localeCompare(b.requirer),
  );
}
