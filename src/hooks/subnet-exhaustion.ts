import type { CharmConfig } from "../config/charm-config";
import { EtcdUnavailable, listLeases } from "../etcd/client";
import type { EtcdAccess } from "../etcd/relation-data";
import { subnetCapacity } from "../flannel/capacity";
import { disableService } from "../flannel/service";
import { blocked } from "./unit-status";

/**
 * Called when flanneld has no lease: if every subnet of the network is leased to other units, flanneld
 * would only exit ("out of subnets") and restart every 2 s, so it is stopped and the unit blocks, saying
 * how to free one. Its next hook starts flanneld again, which then takes a subnet freed meanwhile.
 */
export async function blockIfNetworkFull(
  access: EtcdAccess,
  config: CharmConfig,
  publicIp: string | undefined,
) {
  const leases = await listLeases(access, config.etcdPrefix).catch((error: unknown) => {
    if (error instanceof EtcdUnavailable) return undefined;
    throw error;
  });
  if (leases === undefined || leases.some((lease) => lease.publicIp === publicIp)) return;
  const capacity = subnetCapacity(config.network, config.subnetLen);
  if (leases.length < capacity) return;
  await disableService();
  blocked(
    `no free subnet in ${config.network} (${leases.length} of ${capacity} leased): remove a unit to free one ` +
      "and this unit takes it at its next hook",
  );
}
