import { isDeepStrictEqual } from "node:util";

/** The flannel network config stored at `<prefix>/config`. */
export interface NetworkConfig {
  readonly Network: string;
  readonly SubnetLen?: number;
  readonly Backend?: { readonly Type: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

// flanneld's defaults: a config without SubnetLen uses 24, one without Backend (or Type) uses udp.
const DEFAULT_SUBNET_LEN = 24;
const DEFAULT_BACKEND = "udp";

/** Renders the config as the JSON the charm writes: {"Network","SubnetLen","Backend":{"Type"}}. */
export function renderNetworkConfig(config: NetworkConfig): string {
  return JSON.stringify(config);
}

/** Whether a stored config (JSON text) means the same network as the desired one, with flanneld's defaults. */
export function isSameNetworkConfig(existing: string, desired: NetworkConfig): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(existing);
  } catch {
    return false;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return false;
  return isDeepStrictEqual(withDefaults(parsed as Record<string, unknown>), withDefaults(desired));
}

function withDefaults(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const backend = config.Backend;
  const backendObject =
    backend !== null && typeof backend === "object" && !Array.isArray(backend)
      ? (backend as Record<string, unknown>)
      : backend === undefined || backend === null
        ? {}
        : { invalid: backend };
  return {
    ...config,
    SubnetLen: config.SubnetLen ?? DEFAULT_SUBNET_LEN,
    Backend: { ...backendObject, Type: backendObject.Type ?? DEFAULT_BACKEND },
  };
}
