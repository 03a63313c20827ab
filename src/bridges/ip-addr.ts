import { type Run, runProgram } from "./programs";

/** A network device as `ip` shows it: IPv4 addresses with prefix length (e.g. 10.10.16.1/24) and MTU. */
export interface LinkAddresses {
  readonly name: string;
  readonly addresses: readonly string[];
  readonly mtu: number;
  /** Administratively up (`ip link set … up`): a bridge with no ports attached is up without a carrier. */
  readonly up: boolean;
  /** The bridge it is a port of, if any. */
  readonly master?: string;
  /** Its peer lives in another network namespace (a container's veth, seen from the host). */
  readonly peerElsewhere?: boolean;
}

/** The device's IPv4 addresses and MTU from `ip -j addr show dev NAME`, or undefined when it does not exist. */
export async function readLinkAddresses(
  name: string,
  run: Run = runProgram,
): Promise<LinkAddresses | undefined> {
  const { exitCode, stdout } = await run("ip", ["-j", "addr", "show", "dev", name]);
  return exitCode === 0 ? parseIpAddrJson(stdout) : undefined;
}

interface IpLink {
  ifname?: unknown;
  mtu?: unknown;
  flags?: unknown;
  master?: unknown;
  link_netnsid?: unknown;
  addr_info?: { family?: unknown; local?: unknown; prefixlen?: unknown }[];
}

/** Reads the first device of `ip -j addr show` output: its name, MTU, IPv4 addresses as CIDR and up flag. */
export function parseIpAddrJson(stdout: string): LinkAddresses | undefined {
  return parseLinks(stdout)[0];
}

/** Every device of `ip -j addr show` output (all devices, one process), by name. */
export function parseIpAddrJsonByName(stdout: string): Map<string, LinkAddresses> {
  return new Map(parseLinks(stdout).map((link) => [link.name, link]));
}

function parseLinks(stdout: string): LinkAddresses[] {
  let links: unknown;
  try {
    links = JSON.parse(stdout);
  } catch {
    return [];
  }
  if (!Array.isArray(links)) return [];
  return links.flatMap((link: IpLink) => {
    const parsed = parseLink(link);
    return parsed === undefined ? [] : [parsed];
  });
}

function parseLink(link: IpLink | undefined): LinkAddresses | undefined {
  if (typeof link?.ifname !== "string" || typeof link.mtu !== "number") return undefined;
  const addresses = (link.addr_info ?? [])
    .filter((info) => info.family === "inet")
    .map((info) => `${info.local}/${info.prefixlen}`);
  const up = Array.isArray(link.flags) && link.flags.includes("UP");
  const parsed = { name: link.ifname, addresses, mtu: link.mtu, up };
  const master = typeof link.master === "string" ? { master: link.master } : {};
  const peer = link.link_netnsid === undefined ? {} : { peerElsewhere: true };
  return { ...parsed, ...master, ...peer };
}
