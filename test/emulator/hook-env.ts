import { randomBytes } from "node:crypto";
import type { HookEvent, Model } from "./model";
import { findRelation } from "./model";

export interface EnvOptions {
  charmDir: string;
  binDir: string;
  basePath?: string;
  /** The agent's unix socket, which the hook tools (jujuc) call. */
  socketPath: string;
}

function relationVars(model: Model, event: HookEvent): Record<string, string> {
  if (event.relationId === undefined) return {};
  const relation = findRelation(model, event.relationId);
  if (!relation) return {};
  const vars: Record<string, string> = {
    JUJU_RELATION: relation.name,
    JUJU_RELATION_ID: `${relation.name}:${relation.id}`,
    JUJU_REMOTE_APP: event.remoteApp ?? relation.remoteApp,
  };
  if (event.remoteUnit) vars.JUJU_REMOTE_UNIT = event.remoteUnit;
  if (event.departingUnit) vars.JUJU_DEPARTING_UNIT = event.departingUnit;
  return vars;
}

function actionVars(event: HookEvent): Record<string, string> {
  // `juju exec` runs a command, not a hook: its context has no hook name or dispatch path.
  if (event.hook === "juju-exec") return {};
  if (!event.action) return { JUJU_HOOK_NAME: event.hook, JUJU_DISPATCH_PATH: `hooks/${event.hook}` };
  return {
    JUJU_ACTION_NAME: event.action.name,
    JUJU_ACTION_UUID: randomBytes(16).toString("hex"),
    JUJU_DISPATCH_PATH: `actions/${event.action.name}`,
  };
}

/** secret-changed, secret-remove and friends name their secret (and revision) as Juju does. */
function secretVars(event: HookEvent): Record<string, string> {
  if (!event.secret) return {};
  const vars: Record<string, string> = { JUJU_SECRET_ID: event.secret.uri };
  if (event.secret.label) vars.JUJU_SECRET_LABEL = event.secret.label;
  if (event.secret.revision !== undefined) vars.JUJU_SECRET_REVISION = String(event.secret.revision);
  return vars;
}

/** Juju's hook environment for one event; the hook tools reach the agent through JUJU_AGENT_SOCKET_*. */
export function buildHookEnv(model: Model, event: HookEvent, opts: EnvOptions): Record<string, string> {
  const name = event.action?.name ?? event.hook;
  return {
    PATH: `${opts.binDir}:${opts.basePath ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}`,
    CHARM_DIR: opts.charmDir,
    JUJU_CHARM_DIR: opts.charmDir,
    JUJU_UNIT_NAME: model.unitName,
    JUJU_MODEL_NAME: model.modelName,
    JUJU_MODEL_UUID: model.modelUuid,
    JUJU_MACHINE_ID: model.machineId,
    JUJU_VERSION: model.jujuVersion,
    // Juju's context ids are unit-hook-random; the count keeps them readable in logs.
    JUJU_CONTEXT_ID: `${model.unitName}-${name}-${model.hookCount}-${randomBytes(4).toString("hex")}`,
    JUJU_AGENT_SOCKET_ADDRESS: opts.socketPath,
    JUJU_AGENT_SOCKET_NETWORK: "unix",
    ...actionVars(event),
    ...relationVars(model, event),
    ...secretVars(event),
  };
}
