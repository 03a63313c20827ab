import { type Run, runProgram } from "./programs";

/** A network device as `ip` shows it: IPv4 addresses with prefix length (e.g. 10.10.16.1/24) and MTU. */
export interface LinkAddresses {
  readonly name: string;
  readonly addresses: readonly string[];
  readonly mtu: number;
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
  addr_info?: { family?: unknown; local?: unknown; prefixlen?: unknown }[];
}

/** Reads the first device of `ip -j addr show` output: its name, MTU and IPv4 addresses as CIDR. */
export function parseIpAddrJson(stdout: string): LinkAddresses | undefined {
  let links: IpLink[];
  try {
    links = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  const link = Array.isArray(links) ? links[0] : undefined;
  if (typeof link?.ifname !== "string" || typeof link.mtu !== "number") return undefined;
  const addresses = (link.addr_info ?? [])
    .filter((info) => info.family === "inet")
    .map((info) => `${info.local}/${info.prefixlen}`);
  return { name: link.ifname, addresses, mtu: link.mtu };
}
