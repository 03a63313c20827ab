// A few lines of IPv4 arithmetic for the lease parser and the bridge addressing, so ./health does not load
// ip-num: its module set-up alone (IPv6 tables) costs ./health more than a tenth of Node's own start.

/** An IPv4 CIDR as numbers: the address (host bits kept) and the prefix length. */
export interface Cidr {
  readonly address: number;
  readonly length: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Parses dotted-quad notation (no leading zeros), or undefined. */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((part) => OCTET.test(part))) return undefined;
  return parts.reduce((sum, part) => sum * 256 + Number(part), 0);
}

/** Parses `a.b.c.d/len` (len 0–32), or undefined. */
export function parseCidr(text: string): Cidr | undefined {
  const match = /^([^/]+)\/(3[0-2]|[12]?\d)$/.exec(text);
  const address = match ? parseIPv4(match[1]) : undefined;
  return match && address !== undefined ? { address, length: Number(match[2]) } : undefined;
}

/** The first address of the CIDR's range. */
export function networkOf(cidr: Cidr): number {
  return cidr.address - (cidr.address % sizeOf(cidr));
}

/** Whether `inner` lies wholly inside `outer`. */
export function containsCidr(outer: Cidr, inner: Cidr): boolean {
  return inner.length >= outer.length && networkOf({ ...inner, length: outer.length }) === networkOf(outer);
}

/** The number of addresses in the CIDR's range. */
export function sizeOf({ length }: Cidr): number {
  return 2 ** (32 - length);
}

/** Dotted-quad notation of an address held as a number. */
export function formatIPv4(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

/** The netmask of a prefix length, e.g. 24 -> 255.255.255.0. */
export function netmaskOf(length: number): string {
  return formatIPv4(2 ** 32 - 2 ** (32 - length));
}
