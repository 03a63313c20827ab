import { BACKENDS, type Backend, CONTAINER_TYPES, type ContainerType } from "../config/choices";
import { ensureFile, readFileIfExists } from "../fs/atomic";

/** Where hooks leave what ./health needs, since health runs outside hooks (config-get may not work there). */
export const CHARM_STATE_PATH = "/var/lib/flannel-charm/state.json";

/** What the last hook knew about the unit that health cannot observe itself. */
export interface CharmState {
  readonly containerType: ContainerType;
  /** The backend flanneld runs with, so health knows which device to look at (udp when absent). */
  readonly backend?: Backend;
  readonly etcdRelated: boolean;
  /** The blocked status message, when the charm is blocked. */
  readonly blocked?: string;
  /** The waiting status message, when the charm waits for something. */
  readonly waiting?: string;
}

/** Reads the state the hooks wrote; undefined when there is none yet or it is not a valid state. */
export async function readCharmState(path = CHARM_STATE_PATH): Promise<CharmState | undefined> {
  const text = await readFileIfExists(path);
  return text === undefined ? undefined : parseCharmState(text);
}

/** Writes the state atomically, with stable key order; returns whether the file changed. */
export async function writeCharmState(state: CharmState, path = CHARM_STATE_PATH): Promise<boolean> {
  return ensureFile(path, renderCharmState(state));
}

/** Renders the state as 2-space JSON in a fixed key order. */
export function renderCharmState(state: CharmState): string {
  const { containerType, backend, etcdRelated, blocked, waiting } = state;
  return `${JSON.stringify({ containerType, backend, etcdRelated, blocked, waiting }, null, 2)}\n`;
}

/** Parses state.json, or undefined when it is not JSON of the right shape. */
export function parseCharmState(text: string): CharmState | undefined {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { containerType, backend, etcdRelated, blocked, waiting } = value;
  if (!CONTAINER_TYPES.includes(containerType as ContainerType) || typeof etcdRelated !== "boolean") {
    return undefined;
  }
  if (backend !== undefined && !BACKENDS.includes(backend as Backend)) return undefined;
  if (!isOptionalString(blocked) || !isOptionalString(waiting)) return undefined;
  return withoutUndefined({
    containerType: containerType as ContainerType,
    backend: backend as Backend | undefined,
    etcdRelated,
    blocked,
    waiting,
  });
}

function isOptionalString(value: unknown): value is string | undefined {
  return value === undefined || typeof value === "string";
}

function withoutUndefined(state: CharmState): CharmState {
  return Object.fromEntries(
    Object.entries(state).filter(([, v]) => v !== undefined),
  ) as unknown as CharmState;
}
