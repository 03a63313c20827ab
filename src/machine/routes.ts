// The kernel's IPv4 routes from /proc/net/route: a file read, where `ip route` would cost a process on
// every hook and every ./health.

import { formatIPv4 } from "../flannel/ipv4-cidr";
import { readFile } from "../fs/small-files";

export const PROC_ROUTE_PATH = "/proc/net/route";

/** One route of the main table: destination as CIDR, the device it leaves by, and its gateway. */
export interface Route {
  readonly destination: string;
  readonly device: string;
  readonly gateway: string;
}

/** Parses /proc/net/route (hex fields in the kernel's byte order, little-endian here). */
export function parseProcRoutes(text: string): Route[] {
  return text
    .split("\n")
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 8)
    .map(([device, destination, gateway, , , , , mask]) => ({
      destination: `${addressOf(destination)}/${prefixOf(mask)}`,
      device,
      gateway: addressOf(gateway),
    }));
}

/** The routes, or an empty list when the file cannot be read. */
export async function readRoutes(path = PROC_ROUTE_PATH): Promise<Route[]> {
  return parseProcRoutes(await readFile(path, "utf8").catch(() => ""));
}

function addressOf(hex: string): string {
  const value = Number.parseInt(hex, 16);
  const bytes = [0, 8, 16, 24].map((shift) => Math.floor(value / 2 ** shift) % 256);
  return formatIPv4(bytes.reduce((sum, byte) => sum * 256 + byte, 0));
}

function prefixOf(hexMask: string): number {
  let value = Number.parseInt(hexMask, 16);
  let bits = 0;
  while (value > 0) {
    bits += value % 2;
    value = Math.floor(value / 2);
  }
  return bits;
}
