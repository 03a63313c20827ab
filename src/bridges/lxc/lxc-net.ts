import { formatIPv4, netmaskOf, networkOf, parseCidr, sizeOf } from "../../flannel/ipv4-cidr";
import type { Lease } from "../../flannel/subnet-env";

/** The bridge lxc-net creates; the charm always uses Debian's default name. */
export const LXC_BRIDGE = "lxcbr0";

const BEGIN = "# BEGIN flannel charm: set from the flannel lease; edits between these lines are overwritten";
const END = "# END flannel charm";

/** The keys the charm owns in /etc/default/lxc-net; any other line is the operator's. */
export const MANAGED_LXC_NET_KEYS = [
  "USE_LXC_BRIDGE",
  "LXC_BRIDGE",
  "LXC_ADDR",
  "LXC_NETMASK",
  "LXC_NETWORK",
  "LXC_DHCP_RANGE",
  "LXC_DHCP_MAX",
  "LXC_USE_NFT",
] as const;

/** Addresses lxc-net needs for a lease: the bridge address, its subnet and the DHCP pool around it. */
export interface LxcAddressing {
  readonly addr: string;
  readonly netmask: string;
  readonly network: string;
  readonly dhcpFirst: string;
  readonly dhcpLast: string;
  readonly dhcpMax: bigint;
}

/** Computes the bridge address (the lease's, i.e. the subnet's first), netmask, subnet and DHCP pool. */
export function computeLxcAddressing(lease: Lease): LxcAddressing {
  const cidr = parseCidr(lease.subnet);
  if (cidr === undefined) throw new Error(`not an IPv4 subnet: ${lease.subnet}`);
  const network = networkOf(cidr);
  const dhcpFirst = cidr.address + 1;
  const dhcpLast = network + sizeOf(cidr) - 2;
  return {
    addr: formatIPv4(cidr.address),
    netmask: netmaskOf(cidr.length),
    network: `${formatIPv4(network)}/${cidr.length}`,
    dhcpFirst: formatIPv4(dhcpFirst),
    dhcpLast: formatIPv4(dhcpLast),
    dhcpMax: BigInt(dhcpLast - dhcpFirst + 1),
  };
}

/** Renders /etc/default/lxc-net for the lease, keeping the operator's other lines; re-rendering is stable. */
export function renderLxcNet(existingText: string | undefined, lease: Lease): string {
  const kept = withoutManagedLines(existingText ?? "");
  const head = kept.length > 0 ? `${kept.join("\n")}\n\n` : "";
  return `${head}${renderManagedBlock(lease).join("\n")}\n`;
}

function renderManagedBlock(lease: Lease): string[] {
  const a = computeLxcAddressing(lease);
  return [
    BEGIN,
    'USE_LXC_BRIDGE="true"',
    `LXC_BRIDGE="${LXC_BRIDGE}"`,
    `LXC_ADDR="${a.addr}"`,
    `LXC_NETMASK="${a.netmask}"`,
    `LXC_NETWORK="${a.network}"`,
    `LXC_DHCP_RANGE="${a.dhcpFirst},${a.dhcpLast}"`,
    `LXC_DHCP_MAX="${a.dhcpMax}"`,
    "# iptables, not nft: the charm's lxc-net drop-in exempts overlay traffic in iptables' nat POSTROUTING",
    'LXC_USE_NFT="false"',
    END,
  ];
}

const MANAGED_LINE = new RegExp(`^\\s*(export\\s+)?(${MANAGED_LXC_NET_KEYS.join("|")})=`);

function withoutManagedLines(text: string): string[] {
  const lines = text.split("\n");
  const kept: string[] = [];
  let inBlock = false;
  for (const line of lines) {
    if (line === BEGIN) inBlock = true;
    else if (line === END) inBlock = false;
    else if (!inBlock && !MANAGED_LINE.test(line)) kept.push(line);
  }
  while (kept.length > 0 && kept[kept.length - 1].trim() === "") kept.pop();
  return kept;
}
