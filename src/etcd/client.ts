import type { Etcd3, IOptions } from "etcd3";
import { publicIpOfLease } from "./lease-value";
import { isSameNetworkConfig, type NetworkConfig, renderNetworkConfig } from "./network-config";
import type { EtcdAccess } from "./relation-data";

/** etcd could not be reached in time (down, unreachable, TLS refused): a transient, wait-and-retry condition. */
export class EtcdUnavailable extends Error {
  readonly endpoints: readonly string[];

  constructor(endpoints: readonly string[], reason: string, cause?: unknown) {
    super(`etcd at ${endpoints.join(",")} is unavailable: ${reason}`, { cause });
    this.name = "EtcdUnavailable";
    this.endpoints = endpoints;
  }
}

/** The client credentials cannot be loaded (bad key, cert or CA): an operator must fix them, retrying won't. */
/** etcd answered and refused: a permission or credentials problem, not a passing outage. */
export class EtcdRefused extends Error {
  constructor(reason: string, cause: unknown) {
    super(reason, { cause });
    this.name = "EtcdRefused";
  }
}

export class EtcdCredentialsError extends Error {
  constructor(reason: string, cause?: unknown) {
    super(`the etcd client credentials cannot be loaded: ${reason}`, { cause });
    this.name = "EtcdCredentialsError";
  }
}

export type EnsureConfigResult =
  | { outcome: "created" }
  | { outcome: "equal"; existing: string }
  | { outcome: "conflict"; existing: string };

// Hooks must stay fast: a dead etcd is reported within a few seconds, then update-status retries.
const DIAL_TIMEOUT_MS = 2000;
const CALL_TIMEOUT_MS = 2000;
const TOTAL_TIMEOUT_MS = 5000;

/** Creates `<prefix>/config` only if absent (v3 transaction on version 0); else says if etcd's equals it. */
export async function ensureNetworkConfig(
  access: EtcdAccess,
  prefix: string,
  desired: NetworkConfig,
): Promise<EnsureConfigResult> {
  const key = `${prefix}/config`;
  const result = await withClient(access, (client) =>
    client
      .if(key, "Version", "==", 0)
      .then(client.put(key).value(renderNetworkConfig(desired)))
      .else(client.get(key))
      .commit(),
  );
  if (result.succeeded) return { outcome: "created" };
  const existing = result.responses[0]?.response_range?.kvs[0]?.value.toString() ?? "";
  return isSameNetworkConfig(existing, desired)
    ? { outcome: "equal", existing }
    : { outcome: "conflict", existing };
}

/** The JSON text at `<prefix>/config`, or undefined when the network was never created. */
export async function readNetworkConfig(access: EtcdAccess, prefix: string): Promise<string | undefined> {
  const value = await withClient(access, (client) => client.get(`${prefix}/config`).string());
  return value ?? undefined;
}

/** Deletes the subnet leases under `<prefix>/subnets/` whose PublicIP is this unit's; returns their keys. */
export async function deleteOwnLease(
  access: EtcdAccess,
  prefix: string,
  publicIp: string,
): Promise<string[]> {
  return withClient(access, async (client) => {
    const leases = await client.getAll().prefix(`${prefix}/subnets/`).exec();
    const deleted: string[] = [];
    for (const kv of leases.kvs) {
      if (publicIpOfLease(kv.value.toString()) !== publicIp) continue;
      // Delete only the lease as read: if flanneld renewed it meanwhile the transaction does nothing.
      const key = kv.key.toString();
      const txn = await client.if(key, "Mod", "==", kv.mod_revision).then(client.delete().key(key)).commit();
      if (txn.succeeded) deleted.push(key);
    }
    return deleted;
  });
}

/**
 * Whether etcd still holds the network config and the lease `subnetKey` (e.g. 10.10.16.0-24) for `publicIp`:
 * false after etcd lost its data (restored empty or from an old snapshot), which flanneld does not notice.
 */
export async function isLeaseInEtcd(
  access: EtcdAccess,
  prefix: string,
  subnetKey: string,
  publicIp: string,
): Promise<boolean> {
  return withClient(access, async (client) => {
    const [config, lease] = await Promise.all([
      client.get(`${prefix}/config`).string(),
      client.get(`${prefix}/subnets/${subnetKey}`).string(),
    ]);
    return config !== null && lease !== null && publicIpOfLease(lease) === publicIp;
  });
}

/** The subnet leases under `<prefix>/subnets/`: key suffix (e.g. 10.10.16.0-24) and the PublicIP it carries. */
export async function listLeases(
  access: EtcdAccess,
  prefix: string,
): Promise<{ subnet: string; publicIp: string | undefined }[]> {
  const root = `${prefix}/subnets/`;
  const leases = await withClient(access, (client) => client.getAll().prefix(root).exec());
  return leases.kvs.map((kv) => ({
    subnet: kv.key.toString().slice(root.length),
    publicIp: publicIpOfLease(kv.value.toString()),
  }));
}

/** Opens a client (etcd3 loaded only now), runs one job with a deadline, and always closes it. */
async function withClient<T>(access: EtcdAccess, job: (client: Etcd3) => Promise<T>): Promise<T> {
  const { etcd3 } = await import("./etcd3-module");
  const client = newClient(etcd3, access);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new EtcdUnavailable(access.endpoints, `no answer within ${TOTAL_TIMEOUT_MS} ms`)),
      TOTAL_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([job(client), deadline]);
  } catch (error) {
    throw toUnavailable(access, error, etcd3);
  } finally {
    clearTimeout(timer);
    client.close();
  }
}

// grpc loads the key and certificates in the constructor: bad ones throw there, as a bare Error.
function newClient(etcd3: typeof import("etcd3"), access: EtcdAccess): Etcd3 {
  try {
    return new etcd3.Etcd3(clientOptions(access));
  } catch (error) {
    // OpenSSL's reason (e.g. "key values mismatch") without its "error:…:routines::" prefix.
    const reason = (error instanceof Error ? error.message : String(error)).split("::").pop() ?? "";
    throw new EtcdCredentialsError(reason.slice(0, 120), error);
  }
}

function clientOptions(access: EtcdAccess): IOptions {
  const options: IOptions = {
    hosts: [...access.endpoints],
    dialTimeout: DIAL_TIMEOUT_MS,
    defaultCallOptions: () => ({ deadline: new Date(Date.now() + CALL_TIMEOUT_MS) }),
  };
  if (!access.tls) return options;
  return {
    ...options,
    credentials: {
      rootCertificate: Buffer.from(access.tls.ca),
      certChain: Buffer.from(access.tls.cert),
      privateKey: Buffer.from(access.tls.key),
    },
  };
}

// instanceof, not class names: a minified bundle renames classes.
function toUnavailable(access: EtcdAccess, error: unknown, etcd3: typeof import("etcd3")): unknown {
  if (error instanceof EtcdUnavailable || !(error instanceof Error)) return error;
  const transient =
    error instanceof etcd3.GRPCUnavailableError ||
    error instanceof etcd3.GRPCDeadlineExceededError ||
    error instanceof etcd3.GRPCCancelledError ||
    (error as { isBrokenCircuitError?: boolean }).isBrokenCircuitError === true;
  if (transient) {
    return new EtcdUnavailable(access.endpoints, error.message, error);
  }
  const refused =
    error instanceof etcd3.EtcdPermissionDeniedError ||
    error instanceof etcd3.EtcdAuthenticationFailedError ||
    error instanceof etcd3.EtcdInvalidAuthTokenError ||
    error instanceof etcd3.GRPCUnauthenticatedError;
  return refused ? new EtcdRefused(error.message.split("\n")[0] ?? "", error) : error;
}
