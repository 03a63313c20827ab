import { randomBytes } from "node:crypto";
import { loadCharm } from "./charm-meta";
import { checkConsistency } from "./consistency";
import type { ConfigValue, ErrorState, HookEvent, Model, SecretRecord } from "./model";
import { appName, findRelation, isPeer, type Relation, readModel, writeModel } from "./model";
import { applyAfterHook, applyBeforeHook } from "./relation-steps";
import { type HookResult, type RunnerOptions, runCommand, runHook } from "./run-hook";
import { obsoleteRevisions } from "./secrets";

export type { HookResult, RunnerOptions } from "./run-hook";

/** The hooks one operation ran, in order, and the error state it left (null when all succeeded). */
export interface OperationResult {
  hooks: HookResult[];
  error: ErrorState | null;
  relationId?: number;
}

/** Thrown when an operation is attempted while the unit is in error, as Juju holds events back. */
export class UnitInErrorError extends Error {
  constructor(readonly state: ErrorState) {
    super(`unit is in error: hook failed: "${state.hook}"; resolve it first`);
    this.name = "UnitInErrorError";
  }
}

function updateModel(path: string, change: (model: Model) => void): Model {
  const model = readModel(path);
  change(model);
  writeModel(path, model);
  return model;
}

/** Delivers events in order; the first failing hook puts the unit in error and holds the rest. */
async function runEvents(opts: RunnerOptions, events: HookEvent[]): Promise<OperationResult> {
  const hooks: HookResult[] = [];
  for (let index = 0; index < events.length; index++) {
    const event = events[index] as HookEvent;
    updateModel(opts.modelPath, (m) => applyBeforeHook(m, event));
    const result = await runHook(opts, event);
    hooks.push(result);
    if (result.exitCode !== 0 && !event.action) {
      const error = { hook: result.hook, event, pending: events.slice(index + 1) };
      updateModel(opts.modelPath, (m) => {
        m.error = error;
      });
      return { hooks, error };
    }
    // Hooks the controller queued during this one (secret-remove after secret-set) come next.
    updateModel(opts.modelPath, (m) => {
      applyAfterHook(m, event);
      events.splice(index + 1, 0, ...(m.queued ?? []));
      m.queued = [];
    });
  }
  return { hooks, error: null };
}

/** Refuses while in error, applies the operator's change, checks it like a controller, then runs. */
async function operate(
  opts: RunnerOptions,
  events: (model: Model) => HookEvent[],
  change: (model: Model) => void = () => {},
): Promise<OperationResult> {
  const model = readModel(opts.modelPath);
  if (model.error) throw new UnitInErrorError(model.error);
  change(model);
  checkConsistency(model, loadCharm(opts.charmDir));
  writeModel(opts.modelPath, model);
  return runEvents(opts, events(model));
}

const plain = (...hooks: string[]): HookEvent[] => hooks.map((hook) => ({ hook }));

/**
 * install, <peer>-relation-created per peer endpoint, leader-elected (leader only), config-changed, start.
 * Juju creates a charm's peer relations with the application, so they exist before the first hook.
 */
export function deploy(opts: RunnerOptions): Promise<OperationResult> {
  const peers = peerEndpoints(opts.charmDir);
  let created: HookEvent[] = [];
  return operate(
    opts,
    (m) => [
      { hook: "install" },
      ...created,
      ...plain(...(m.leader ? ["leader-elected"] : []), "config-changed", "start"),
    ],
    (m) => {
      created = peers
        .filter(([name]) => !m.relations.some((r) => r.name === name))
        .map(([name, iface]) => {
          const relation = newRelation(m.nextRelationId++, name, iface, appName(m.unitName));
          m.relations.push(relation);
          return { hook: `${name}-relation-created`, relationId: relation.id };
        });
    },
  );
}

function peerEndpoints(charmDir: string): [string, string][] {
  const endpoints = Object.entries(loadCharm(charmDir).endpoints);
  return endpoints.filter(([, e]) => e.role === "peers").map(([name, e]) => [name, e.interface]);
}

function newRelation(id: number, name: string, iface: string, remoteApp: string): Relation {
  return {
    id,
    name,
    interface: iface,
    remoteApp,
    localUnitData: {},
    localAppData: {},
    remoteUnits: {},
    remoteAppData: {},
  };
}

/** `juju config`: null resets a key to its default. */
export function configChange(
  opts: RunnerOptions,
  values: Record<string, ConfigValue | null>,
): Promise<OperationResult> {
  return operate(
    opts,
    () => plain("config-changed"),
    (m) => {
      for (const [key, value] of Object.entries(values)) {
        if (value === null) delete m.config[key];
        else m.config[key] = value;
      }
    },
  );
}

export interface RelateSpec {
  name: string;
  remoteApp: string;
  /** Defaults to the interface metadata.yaml declares for the endpoint. */
  interface?: string;
  remoteUnits?: Record<string, Record<string, string>>;
  remoteAppData?: Record<string, string>;
}

function joinEvents(name: string, id: number, units: Record<string, Record<string, string>>): HookEvent[] {
  return Object.entries(units).flatMap(([unit, data]) => [
    { hook: `${name}-relation-joined`, relationId: id, remoteUnit: unit, remoteData: data },
    { hook: `${name}-relation-changed`, relationId: id, remoteUnit: unit },
  ]);
}

/** relation-created, then -joined and -changed for each remote unit. */
export async function relate(opts: RunnerOptions, spec: RelateSpec): Promise<OperationResult> {
  let id = -1;
  const iface = spec.interface ?? loadCharm(opts.charmDir).endpoints[spec.name]?.interface ?? "";
  const result = await operate(
    opts,
    () => [
      { hook: `${spec.name}-relation-created`, relationId: id },
      ...joinEvents(spec.name, id, spec.remoteUnits ?? {}),
    ],
    (m) => {
      id = m.nextRelationId++;
      const relation = newRelation(id, spec.name, iface, spec.remoteApp);
      relation.remoteAppData = { ...spec.remoteAppData };
      m.relations.push(relation);
    },
  );
  return { ...result, relationId: id };
}

function relationName(model: Model, id: number): string {
  const relation = findRelation(model, id);
  if (!relation) throw new Error(`no relation with id ${id}`);
  return relation.name;
}

/** A new remote unit enters an existing relation: -joined, -changed. */
export function remoteJoins(opts: RunnerOptions, id: number, unit: string, data: Record<string, string>) {
  return operate(opts, (m) => joinEvents(relationName(m, id), id, { [unit]: data }));
}

/** A remote unit (or, with unit null, the remote app) changes its data: -changed. */
export function remoteChange(
  opts: RunnerOptions,
  id: number,
  unit: string | null,
  data: Record<string, string>,
) {
  return operate(
    opts,
    (m) => [
      {
        hook: `${relationName(m, id)}-relation-changed`,
        relationId: id,
        ...(unit ? { remoteUnit: unit } : {}),
      },
    ],
    (m) => {
      const relation = findRelation(m, id);
      if (!relation) throw new Error(`no relation with id ${id}`);
      if (unit) relation.remoteUnits[unit] = { ...data };
      // A peer relation has one application bag, the one the leader writes.
      else if (isPeer(m, relation)) relation.localAppData = { ...data };
      else relation.remoteAppData = { ...data };
    },
  );
}

function departEvent(name: string, id: number, unit: string): HookEvent {
  return { hook: `${name}-relation-departed`, relationId: id, remoteUnit: unit, departingUnit: unit };
}

/** A remote unit leaves: -departed (JUJU_REMOTE_UNIT and JUJU_DEPARTING_UNIT name it). */
export function remoteDeparts(opts: RunnerOptions, id: number, unit: string) {
  return operate(opts, (m) => [departEvent(relationName(m, id), id, unit)]);
}

function unrelateEvents(model: Model, id: number): HookEvent[] {
  const relation = findRelation(model, id);
  if (!relation) throw new Error(`no relation with id ${id}`);
  const departs = Object.keys(relation.remoteUnits).sort();
  return [
    ...departs.map((u) => departEvent(relation.name, id, u)),
    { hook: `${relation.name}-relation-broken`, relationId: id },
  ];
}

/** The relation is removed: -departed per remote unit, then -broken. */
export function unrelate(opts: RunnerOptions, id: number) {
  return operate(opts, (m) => unrelateEvents(m, id));
}

export const updateStatus = (opts: RunnerOptions) => operate(opts, () => plain("update-status"));

export const upgradeCharm = (opts: RunnerOptions) =>
  operate(opts, () => plain("upgrade-charm", "config-changed"));

/** Unit removal: every relation departs and breaks, then stop, then remove. */
export function remove(opts: RunnerOptions) {
  return operate(opts, (m) => [
    ...m.relations.flatMap((r) => unrelateEvents(m, r.id)),
    ...plain("stop", "remove"),
  ]);
}

/** Runs an action with params over actions.yaml defaults; a failing action does not put the unit in error. */
export async function runAction(opts: RunnerOptions, name: string, params: Record<string, unknown> = {}) {
  const actions = loadCharm(opts.charmDir).actions;
  if (!(name in actions)) throw new Error(`action "${name}" not defined in actions.yaml`);
  const full = { ...actions[name], ...params };
  const event = { hook: name, action: { name, params: full } };
  const result = await operate(
    opts,
    () => [event],
    (m) => {
      m.action = {
        name,
        id: randomBytes(4).toString("hex"),
        params: full,
        results: {},
        failed: false,
        message: "",
        logs: [],
      };
    },
  );
  updateModel(opts.modelPath, (m) => {
    m.action = null;
  });
  return result;
}

/** `juju exec --unit U -- argv`: a command in a hook context (its hook tools work), no error state. */
export async function exec(opts: RunnerOptions, argv: string[]): Promise<OperationResult> {
  const model = readModel(opts.modelPath);
  if (model.error) throw new UnitInErrorError(model.error);
  const ran = await runCommand(opts, argv);
  // Hooks the command made the controller queue (secret-remove after secret-set) run right after it.
  let follow: HookEvent[] = [];
  updateModel(opts.modelPath, (m) => {
    follow = m.queued ?? [];
    m.queued = [];
  });
  const after = follow.length > 0 ? await runEvents(opts, follow) : { hooks: [], error: null };
  return { hooks: [ran, ...after.hooks], error: after.error };
}

/** `juju resolve`: retries the failed hook, then delivers the events it held back. */
export async function resolve(opts: RunnerOptions): Promise<OperationResult> {
  const model = readModel(opts.modelPath);
  if (!model.error) throw new Error(`unit "${model.unitName}" is not in an error state`);
  const { event, pending } = model.error;
  updateModel(opts.modelPath, (m) => {
    m.error = null;
  });
  return runEvents(opts, [event, ...pending]);
}

/** A remote owner publishes a new revision of a secret this unit reads: secret-changed if it tracks one. */
export function secretChanged(opts: RunnerOptions, uri: string, content: Record<string, string>) {
  return operate(
    opts,
    (m) => {
      const secret = m.secrets?.find((s) => `secret:${s.id}` === uri);
      const tracks = secret?.consumers[m.unitName] !== undefined;
      return tracks ? [{ hook: "secret-changed", secret: { uri, label: secret?.consumerLabel } }] : [];
    },
    (m) => {
      const secret = m.secrets?.find((s) => `secret:${s.id}` === uri);
      if (!secret) throw new Error(`no secret ${uri} in the model`);
      const revision = (secret.revisions.at(-1)?.revision ?? 0) + 1;
      const encoded = Object.fromEntries(
        Object.entries(content).map(([k, v]) => [k, Buffer.from(v).toString("base64")]),
      );
      secret.revisions.push({ revision, content: encoded });
    },
  );
}

/**
 * A revision of a secret this unit owns reached the expire time set with it: secret-expired names the
 * secret, its owner label and that revision (for an application's secret Juju tells the leader).
 */
export function secretExpired(opts: RunnerOptions, uri: string) {
  return operate(opts, (m) => {
    const secret = m.secrets?.find((s) => `secret:${s.id}` === uri);
    if (!secret) throw new Error(`no secret ${uri} in the model`);
    const owner = secret.ownerKind === "unit" ? secret.ownerName === m.unitName : m.leader;
    if (!owner || secret.ownerName.split("/")[0] !== m.unitName.split("/")[0])
      throw new Error(`${m.unitName} does not own ${uri} (or is not its application's leader)`);
    const revision = secret.revisions.at(-1)?.revision;
    return [{ hook: "secret-expired", secret: { uri, label: secret.label, revision } }];
  });
}

/** A remote unit that consumes this unit's secret moves to its latest revision: secret-remove for the ones left behind. */
export function secretConsumerRefresh(opts: RunnerOptions, uri: string, unit: string) {
  let obsolete: HookEvent[] = [];
  return operate(
    opts,
    () => obsolete,
    (m) => {
      const secret = m.secrets?.find((s) => `secret:${s.id}` === uri);
      if (!secret) throw new Error(`no secret ${uri} in the model`);
      secret.consumers[unit] = secret.revisions.at(-1)?.revision ?? 0;
      obsolete = obsoleteRevisions(secret);
    },
  );
}

/**
 * The controller hands this unit a secret someone else owns or its application shares (a remote
 * provider's secret granted to us, the leader's application secret seen by another unit): no hook runs.
 * The unit's own bookkeeping (revision tracked, consumer label) is kept.
 */
export function secretPut(opts: RunnerOptions, record: SecretRecord) {
  return operate(
    opts,
    () => [],
    (m) => {
      const existing = m.secrets?.find((s) => s.id === record.id);
      const merged: SecretRecord = {
        ...record,
        consumers: { ...record.consumers, ...(existing?.consumers ?? {}) },
        ...(existing?.consumerLabel ? { consumerLabel: existing.consumerLabel } : {}),
      };
      m.secrets = [...(m.secrets ?? []).filter((s) => s.id !== record.id), merged];
    },
  );
}
