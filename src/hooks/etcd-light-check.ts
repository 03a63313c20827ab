import { publicIpOfLease } from "../etcd/lease-value";
import { type LightRead, readKeysLightly } from "../etcd/light-read";
import type { EtcdAccess } from "../etcd/relation-data";
import type { Lease } from "../flannel/subnet-env";

/** The key of a lease under `<prefix>/subnets/`: 10.10.16.1/24 is 10.10.16.0-24. */
export function leaseKeyOf(lease: Lease): string {
  const [address = "", length] = lease.subnet.split("/");
  return `${address.replace(/\.\d+$/, ".0")}-${length}`;
}

/** One light read of the network config and a lease key, and what it was asked with. */
export interface LeaseRead {
  readonly access: EtcdAccess;
  readonly prefix: string;
  readonly key: string;
  readonly answer: LightRead;
}

/** Reads `<prefix>/config` and `<prefix>/subnets/<key>` in one transaction. */
export async function readLeaseKeys(access: EtcdAccess, prefix: string, key: string): Promise<LeaseRead> {
  const answer = await readKeysLightly(access, [`${prefix}/config`, `${prefix}/subnets/${key}`]);
  return { access, prefix, key, answer };
}

/**
 * Whether etcd still holds the network config and this unit's lease under its address: what is wrong
 * (the full reconcile then re-creates what was lost, or says why etcd refuses), or undefined. An
 * unreachable etcd proves nothing lost, as in the full reconcile: the data plane needs no etcd, and
 * flanneld's own lease renewal reports the outage.
 */
export function judgeLeaseRead(answer: LightRead, publicIp: string | undefined): string | undefined {
  if (answer.kind === "unavailable") return undefined;
  if (answer.kind === "failed") return "etcd answered the light read with an error";
  const [config, held] = answer.values;
  if (
    config === undefined ||
    held === undefined ||
    publicIp === undefined ||
    publicIpOfLease(held) !== publicIp
  )
    return "etcd lost the network config or this unit's lease";
  return undefined;
}
