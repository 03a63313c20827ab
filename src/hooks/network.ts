import type { CharmConfig } from "../config/charm-config";
import { EtcdCredentialsError, EtcdUnavailable, ensureNetworkConfig } from "../etcd/client";
import type { EtcdAccess } from "../etcd/relation-data";
import { readLease } from "../flannel/subnet-env";
import type { JoinedNetwork, UnitRecord } from "./unit-record";
import { blocked, waiting } from "./unit-status";

const OPTION_NAMES: Record<keyof JoinedNetwork, string> = {
  network: "network",
  subnetLen: "subnet-len",
  backend: "backend",
  etcdPrefix: "etcd-prefix",
};

/**
 * Makes sure the flannel network this config asks for exists in etcd, written once, and that the
 * unit keeps to the network it joined: its defining options cannot change afterwards.
 */
export async function ensureNetworkJoined(config: CharmConfig, access: EtcdAccess, record: UnitRecord) {
  const wanted = joinedNetworkOf(config);
  if (record.joined) refuseChanges(record.joined, wanted);
  // While flanneld holds a lease the config is in etcd; skipping etcd keeps update-status fast.
  if (record.joined && (await readLease())?.ok) return;
  const desired = { Network: wanted.network, SubnetLen: wanted.subnetLen, Backend: { Type: wanted.backend } };
  const result = await ensureNetworkConfig(access, wanted.etcdPrefix, desired).catch(waitIfUnavailable);
  if (result.outcome === "conflict") {
    blocked(
      `etcd already holds ${preview(result.existing)} at ${wanted.etcdPrefix}/config but this deployment asks for ` +
        `${JSON.stringify(desired)}: set network, subnet-len and backend to match, or use another etcd-prefix`,
    );
  }
  record.joined = wanted;
}

// The value is whatever etcd holds, possibly huge: show its start, so the fix hint still fits the status.
function preview(value: string): string {
  return value.length > 120 ? `${value.slice(0, 119)}…` : value;
}

function joinedNetworkOf(config: CharmConfig): JoinedNetwork {
  const { network, subnetLen, backend, etcdPrefix } = config;
  return { network, subnetLen, backend, etcdPrefix };
}

function refuseChanges(joined: JoinedNetwork, wanted: JoinedNetwork) {
  const changed = (Object.keys(OPTION_NAMES) as (keyof JoinedNetwork)[]).filter(
    (key) => joined[key] !== wanted[key],
  );
  if (changed.length === 0) return;
  const fixes = changed.map((key) => `set ${OPTION_NAMES[key]} back to ${joined[key]}`).join(", ");
  const names = changed.map((key) => OPTION_NAMES[key]).join(", ");
  blocked(`${names} ${changed.length === 1 ? "is" : "are"} fixed after deploy; ${fixes}`);
}

function waitIfUnavailable(error: unknown): never {
  if (error instanceof EtcdUnavailable) waiting(`etcd is unreachable (${error.message}); retrying`);
  if (error instanceof EtcdCredentialsError)
    blocked(`${error.message}: fix client_ca, client_cert and client_key`);
  throw error;
}
