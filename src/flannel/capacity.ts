/**
 * How many subnets flanneld can lease in `network` (a validated CIDR) with `subnetLen`: it never leases
 * the network's first subnet (its default SubnetMin), so a /16 with /24 subnets holds 255 and a /22
 * holds 3. Reads the prefix length itself: the metrics bundle, run every 30 s, must not load ip-num.
 */
export function subnetCapacity(network: string, subnetLen: number): number {
  const prefix = Number(network.split("/")[1]);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new RangeError(`not a CIDR: ${network}`);
  if (subnetLen <= prefix) return 0;
  return 2 ** (subnetLen - prefix) - 1;
}
