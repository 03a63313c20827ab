import { IPv4CidrRange } from "ip-num";

/**
 * How many subnets flanneld can lease in `network` with `subnetLen`: it never leases the network's first
 * subnet (its default SubnetMin), so a /16 with /24 subnets holds 255 and a /22 holds 3.
 */
export function subnetCapacity(network: string, subnetLen: number): number {
  const prefix = Number(IPv4CidrRange.fromCidr(network).cidrPrefix.getValue());
  if (subnetLen <= prefix) return 0;
  return 2 ** (subnetLen - prefix) - 1;
}
