import { randomBytes } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";

/** Where the machine's unit agent keeps its socket, its client and the unit's model inside a booted machine. */
export const EMULATOR_DIR = "/var/lib/juju-emulator";
export const DEFAULT_MODEL_PATH = `${EMULATOR_DIR}/model.json`;
/** Juju's own place for the command that runs a command in a unit's hook context, on the machine. */
export const JUJU_EXEC_PATH = "/usr/local/bin/juju-exec";

/** A charm config value as Juju stores it (config.yaml types string/int/float/boolean). */
export type ConfigValue = string | number | boolean;

/** One side of one relation as the local unit sees it. */
export interface Relation {
  id: number;
  name: string;
  interface: string;
  remoteApp: string;
  localUnitData: Record<string, string>;
  localAppData: Record<string, string>;
  remoteUnits: Record<string, Record<string, string>>;
  remoteAppData: Record<string, string>;
  /** Settings of units that left, readable only during their -departed hook. */
  departedUnits?: Record<string, Record<string, string>>;
}

export type StatusName = "unknown" | "maintenance" | "waiting" | "active" | "blocked" | "error";

export interface Status {
  status: StatusName;
  message: string;
  /** status-get --include-data's status-data (Juju keeps it beside the message). */
  data?: Record<string, unknown>;
}

export interface StatusEntry extends Status {
  target: "unit" | "application";
  hook: string;
}

export interface LogEntry {
  level: string;
  message: string;
  hook: string;
}

/** The action being run: params in, results and failure out. */
export interface PendingAction {
  name: string;
  id: string;
  params: Record<string, unknown>;
  results: Record<string, unknown>;
  failed: boolean;
  message: string;
  logs: string[];
}

/** What a failed hook leaves behind: the event to retry on resolve. */
export interface ErrorState {
  hook: string;
  event: HookEvent;
  /** Events queued behind the failed one; delivered after a successful retry. */
  pending: HookEvent[];
}

/** One hook invocation: its name plus the relation/action context Juju gives it. */
export interface HookEvent {
  hook: string;
  relationId?: number;
  remoteUnit?: string;
  remoteApp?: string;
  departingUnit?: string;
  /** Settings a unit brings when it joins (applied just before its -joined hook). */
  remoteData?: Record<string, string>;
  action?: { name: string; params: Record<string, unknown> };
  /** secret-changed / secret-remove / secret-rotate / secret-expired: which secret (and revision). */
  secret?: { uri: string; label?: string; revision?: number };
}

/** The whole emulated world of one unit; the hook tools read and write this file. */
export interface Model {
  modelName: string;
  modelUuid: string;
  unitName: string;
  machineId: string;
  privateAddress: string;
  publicAddress: string;
  leader: boolean;
  jujuVersion: string;
  /** Values an operator set with `juju config`. */
  config: Record<string, ConfigValue>;
  /** Defaults from config.yaml; the runner refreshes them before each hook. */
  configDefaults: Record<string, ConfigValue | null>;
  /** Endpoint and extra-binding names from metadata.yaml (network-get bindings). */
  endpoints: string[];
  relations: Relation[];
  nextRelationId: number;
  /** Attached resources: name -> file path. */
  resources: Record<string, string>;
  unitStatus: Status;
  appStatus: Status;
  statusHistory: StatusEntry[];
  logs: LogEntry[];
  ports: string[];
  applicationVersion: string;
  action: PendingAction | null;
  error: ErrorState | null;
  hookCount: number;
  /** network-get's answer per binding; without an entry a binding gets one NIC with privateAddress. */
  networks?: Record<string, NetworkBinding>;
  /** leader-set's settings of the application (Juju keeps one bag per application). */
  leaderSettings?: Record<string, string>;
  /** state-set's key/value store of the unit, kept by the controller. */
  unitState?: Record<string, string>;
  /** goal-state's answer when a test fixes it; otherwise derived from the model. */
  goalState?: unknown;
  /** Secrets this unit owns or was granted (see secrets.ts). Model files are written 0600. */
  secrets?: SecretRecord[];
  /** Hooks the controller queued while a hook ran (e.g. secret-remove); run after the current operation's. */
  queued?: HookEvent[];
}

/** One NIC of a binding as network-get shows it. */
export interface NetworkInterfaceInfo {
  macAddress: string;
  interfaceName: string;
  addresses: { address: string; cidr: string; hostname?: string }[];
}

export interface NetworkBinding {
  interfaces: NetworkInterfaceInfo[];
  ingressAddresses?: string[];
  egressSubnets?: string[];
}

/** One revision of a secret's content: values base64-encoded, as Juju stores them. */
export interface SecretRevision {
  revision: number;
  content: Record<string, string>;
}

/** A grant: who may read (application or unit tag), in which relation (Juju's relation key). */
export interface SecretGrant {
  target: string;
  scope: string;
  role: "view" | "manage";
  relationId: number;
}

/** A secret as the controller keeps it, plus this unit's consumer bookkeeping. */
export interface SecretRecord {
  id: string;
  /** Owner tag's kind and name: application "flannel" or unit "flannel/0". */
  ownerKind: "application" | "unit";
  ownerName: string;
  label?: string;
  description?: string;
  rotatePolicy?: string;
  expireTime?: string;
  revisions: SecretRevision[];
  grants: SecretGrant[];
  /** Revision each consuming unit tracks (remote units, or this unit when it is not the owner). */
  consumers: Record<string, number>;
  /** Revisions whose secret-remove was already delivered (Juju tells the owner once). */
  obsoleteNotified?: number[];
  /** The consumer-side label this unit gave the secret. */
  consumerLabel?: string;
}

/** A fresh model for `unitName` with Juju's initial "unknown" statuses. */
export function createModel(overrides: Partial<Model> = {}): Model {
  return {
    modelName: "test",
    modelUuid: "c7f4a5b8-1d2e-4f3a-9b6c-0d1e2f3a4b5c",
    unitName: "flannel/0",
    machineId: "0",
    privateAddress: "10.0.0.10",
    publicAddress: "10.0.0.10",
    leader: true,
    jujuVersion: "3.6.0",
    config: {},
    configDefaults: {},
    endpoints: [],
    relations: [],
    nextRelationId: 0,
    resources: {},
    unitStatus: { status: "unknown", message: "" },
    appStatus: { status: "unknown", message: "" },
    statusHistory: [],
    logs: [],
    ports: [],
    applicationVersion: "",
    action: null,
    error: null,
    hookCount: 0,
    ...overrides,
  };
}

export function readModel(path: string): Model {
  return { ...createModel(), ...(JSON.parse(readFileSync(path, "utf8")) as Partial<Model>) };
}

/** Writes via a temp file + rename so a reader never sees half a model. */
export function writeModel(path: string, model: Model): void {
  const tmp = `${path}.${randomBytes(4).toString("hex")}.tmp`;
  // Owner-only: the model holds secret content, which Juju never puts in a world-readable file.
  writeFileSync(tmp, `${JSON.stringify(model, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

export function appName(unitName: string): string {
  return unitName.split("/")[0] ?? unitName;
}

export function findRelation(model: Model, id: number): Relation | undefined {
  return model.relations.find((r) => r.id === id);
}

/** Juju's "fake id" of a relation, e.g. `etcd:3`. */
export function relationKey(relation: Relation): string {
  return `${relation.name}:${relation.id}`;
}

/** A peer relation joins the units of the unit's own application. */
export function isPeer(model: Model, relation: Relation): boolean {
  return relation.remoteApp === appName(model.unitName);
}
