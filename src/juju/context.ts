import { basename } from "node:path";

/** What Juju tells a hook through its environment, read once. */
export interface JujuContext {
  readonly unitName: string;
  readonly appName: string;
  /** The hook being run, e.g. "install" or "etcd-relation-changed"; "" when run outside a hook. */
  readonly hookName: string;
  readonly actionName: string | undefined;
  readonly relationName: string | undefined;
  readonly relationId: string | undefined;
  readonly remoteUnit: string | undefined;
  readonly remoteApp: string | undefined;
  readonly departingUnit: string | undefined;
  readonly charmDir: string;
  readonly machineId: string | undefined;
  readonly modelName: string;
  readonly modelUuid: string;
  readonly version: string;
  /** Secret hooks (secret-changed, secret-expired, …): which secret and revision, as JUJU_SECRET_* say. */
  readonly secret: { readonly id: string; readonly label?: string; readonly revision?: number } | undefined;
}

/** Builds a frozen context from an environment and argv (pure: pass process values explicitly). */
export function readJujuContext(env: NodeJS.ProcessEnv, argv: readonly string[] = []): JujuContext {
  const unitName = env.JUJU_UNIT_NAME ?? "";
  return Object.freeze({
    unitName,
    appName: unitName.split("/")[0] ?? "",
    hookName: hookNameOf(env, argv),
    actionName: nonEmpty(env.JUJU_ACTION_NAME),
    relationName: nonEmpty(env.JUJU_RELATION),
    relationId: nonEmpty(env.JUJU_RELATION_ID),
    remoteUnit: nonEmpty(env.JUJU_REMOTE_UNIT),
    remoteApp: nonEmpty(env.JUJU_REMOTE_APP) ?? nonEmpty(env.JUJU_REMOTE_UNIT)?.split("/")[0],
    departingUnit: nonEmpty(env.JUJU_DEPARTING_UNIT),
    charmDir: env.JUJU_CHARM_DIR ?? env.CHARM_DIR ?? "",
    machineId: nonEmpty(env.JUJU_MACHINE_ID),
    modelName: env.JUJU_MODEL_NAME ?? "",
    modelUuid: env.JUJU_MODEL_UUID ?? "",
    version: env.JUJU_VERSION ?? "",
    secret: secretOf(env),
  });
}

let cached: JujuContext | undefined;

/** The context of this process, read from process.env and process.argv on first use. */
export function jujuContext(): JujuContext {
  cached ??= readJujuContext(process.env, process.argv);
  return cached;
}

// Juju runs `dispatch` for every hook and names the hook in JUJU_DISPATCH_PATH; old Juju runs hooks/<name>.
function hookNameOf(env: NodeJS.ProcessEnv, argv: readonly string[]): string {
  const dispatchPath = nonEmpty(env.JUJU_DISPATCH_PATH);
  if (dispatchPath) return basename(dispatchPath);
  if (env.JUJU_HOOK_NAME) return env.JUJU_HOOK_NAME;
  const script = argv[1];
  if (script && basename(script) !== "dispatch" && script.includes("/hooks/")) return basename(script);
  return "";
}

function secretOf(env: NodeJS.ProcessEnv): JujuContext["secret"] {
  const id = nonEmpty(env.JUJU_SECRET_ID);
  if (id === undefined) return undefined;
  const revision = nonEmpty(env.JUJU_SECRET_REVISION);
  return Object.freeze({
    id,
    label: nonEmpty(env.JUJU_SECRET_LABEL),
    revision: revision === undefined ? undefined : Number(revision),
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
