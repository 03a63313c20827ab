import { readKeysLightly } from "../etcd/light-read";
import type { EtcdAccess } from "../etcd/relation-data";
import type { Lease } from "../flannel/subnet-env";
import type { UnitRecord } from "./unit-record";

/** The key of a lease under `<prefix>/subnets/`: 10.10.16.1/24 is 10.10.16.0-24. */
export function leaseKeyOf(lease: Lease): string {
  const [address = "", length] = lease.subnet.split("/");
  return `${address.replace(/\.\d+$/, ".0")}-${length}`;
}

/**
 * Asks etcd, in one light read, whether it still holds the network config and this unit's lease under
 * its address. Returns what is wrong (the full reconcile then re-creates what was lost, or says why etcd
 * refuses), or undefined. An unreachable etcd proves nothing lost, as in the full reconcile: the data
 * plane needs no etcd, and flanneld's own lease renewal reports the outage.
 */
export async function checkEtcdStillHolds(
  access: EtcdAccess,
  record: UnitRecord,
  lease: Lease,
  publicIp: string,
): Promise<string | undefined> {
  const prefix = record.joined?.etcdPrefix ?? "";
  const answer = await readKeysLightly(access, [
    `${prefix}/config`,
    `${prefix}/subnets/${leaseKeyOf(lease)}`,
  ]);
  if (answer.kind === "unavailable") return undefined;
  if (answer.kind === "failed") return "etcd answered the light read with an error";
  const [config, held] = answer.values;
  if (config === undefined || held === undefined || publicIpOf(held) !== publicIp)
    return "etcd lost the network config or this unit's lease";
  return undefined;
}

function publicIpOf(value: string): string | undefined {
  try {
    const parsed = JSON.parse(value) as { PublicIP?: unknown };
    return typeof parsed.PublicIP === "string" ? parsed.PublicIP : undefined;
  } catch {
    return undefined;
  }
}
