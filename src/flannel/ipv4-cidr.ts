// A few lines of IPv4 arithmetic for the lease parser, so ./health does not load ip-num (64 KB of bundle).

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
export function networkOf({ address, length }: Cidr): number {
  const size = 2 ** (32 - length);
  return address - (address % size);
}

/** Whether `inner` lies wholly inside `outer`. */
export function containsCidr(outer: Cidr, inner: Cidr): boolean {
  return inner.length >= outer.length && networkOf({ ...inner, length: outer.length }) === networkOf(outer);
}
