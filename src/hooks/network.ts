import { createHash } from "node:crypto";
import type { CharmConfig } from "../config/charm-config";
import { EtcdCredentialsError, EtcdUnavailable, ensureNetworkConfig, isLeaseInEtcd } from "../etcd/client";
import type { EtcdAccess } from "../etcd/relation-data";
import { readHeldLease } from "../flannel/service";
import type { Lease } from "../flannel/subnet-env";
import { jujuLog } from "../juju/status";
import { traced } from "../trace/spans";
import { leaseKeyOf } from "./etcd-light-check";
import { type JoinedNetwork, markRestartPending, type UnitRecord } from "./unit-record";
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
  // Skipping the config write keeps update-status fast, but only while proven safe: etcd confirmed the
  // config with the same endpoints, prefix and credentials, the running flanneld wrote its lease since it
  // started, and etcd still holds both (a flanneld does not notice an etcd restored empty).
  const fingerprint = fingerprintOf(access, wanted.etcdPrefix);
  const held = await readHeldLease();
  if (record.joined && record.networkConfirmed === fingerprint && held?.ok) {
    if (await isStillInEtcd(access, wanted.etcdPrefix, held.lease, record.publicIp)) return;
    await jujuLog(
      "WARNING",
      `etcd lost the network config or this unit's lease ${held.lease.subnet}: re-creating both`,
    );
    await markRestartPending(record);
  }
  const desired = { Network: wanted.network, SubnetLen: wanted.subnetLen, Backend: { Type: wanted.backend } };
  const result = await traced("etcd", () => ensureNetworkConfig(access, wanted.etcdPrefix, desired)).catch(
    waitIfUnavailable,
  );
  if (result.outcome === "conflict") {
    blocked(
      `etcd already holds ${preview(result.existing)} at ${wanted.etcdPrefix}/config but this deployment asks for ` +
        `${JSON.stringify(desired)}: set network, subnet-len and backend to match, or use another etcd-prefix`,
    );
  }
  record.joined = wanted;
  record.networkConfirmed = fingerprint;
}

// An unreachable etcd proves nothing lost: the shortcut stands (the data plane needs no etcd), and
// flanneld's own lease renewal reports the outage.
async function isStillInEtcd(access: EtcdAccess, prefix: string, lease: Lease, publicIp: string | undefined) {
  if (publicIp === undefined) return false;
  const key = leaseKeyOf(lease);
  return traced("etcd", () => isLeaseInEtcd(access, prefix, key, publicIp)).catch((error: unknown) => {
    if (error instanceof EtcdUnavailable) return true;
    return waitIfUnavailable(error);
  });
}

/** A digest of how the unit reaches etcd, so the record never holds the credentials themselves. */
export function fingerprintOf(access: EtcdAccess, prefix: string): string {
  const tls = access.tls ? [access.tls.ca, access.tls.cert, access.tls.key] : null;
  const text = JSON.stringify({ endpoints: access.endpoints, prefix, tls });
  return createHash("sha256").update(text).digest("hex").slice(0, 32);
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
