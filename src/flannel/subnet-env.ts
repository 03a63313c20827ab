import { readFileIfExists } from "../fs/atomic";
import { stat } from "../fs/small-files";
import { containsCidr, networkOf, parseCidr } from "./ipv4-cidr";

/** Where flanneld writes the lease it holds (its default --subnet-file). */
export const SUBNET_ENV_PATH = "/run/flannel/subnet.env";

/** The subnet lease flanneld holds, as written to subnet.env. */
export interface Lease {
  /** The whole flannel network, e.g. 10.10.0.0/16. */
  readonly network: string;
  /** This host's first address with the subnet's length, e.g. 10.10.16.1/24. */
  readonly subnet: string;
  readonly mtu: number;
  readonly ipMasq: boolean;
}

export type LeaseResult = { ok: true; lease: Lease } | { ok: false; problem: string };

const REQUIRED = ["FLANNEL_NETWORK", "FLANNEL_SUBNET", "FLANNEL_MTU", "FLANNEL_IPMASQ"] as const;
const MAX_SIZE = 4096;
const COARSE_CLOCK_MS = 10;

/** Parses subnet.env strictly: every key present once, well-formed, and the subnet inside the network. */
export function parseSubnetEnv(text: string): LeaseResult {
  if (text.length > MAX_SIZE)
    return { ok: false, problem: `subnet.env is ${text.length} bytes, expected < ${MAX_SIZE}` };
  const values = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const match = /^([A-Z0-9_]+)=([0-9A-Za-z./:,]*)$/.exec(line.trim());
    if (!match)
      return { ok: false, problem: `subnet.env has a malformed line: ${JSON.stringify(line.slice(0, 80))}` };
    if (values.has(match[1])) return { ok: false, problem: `subnet.env sets ${match[1]} twice` };
    values.set(match[1], match[2]);
  }
  const missing = REQUIRED.filter((key) => !values.has(key));
  if (missing.length > 0) return { ok: false, problem: `subnet.env lacks ${missing.join(", ")}` };
  return validateLease(values);
}

function validateLease(values: Map<string, string>): LeaseResult {
  const network = values.get("FLANNEL_NETWORK") ?? "";
  const subnet = values.get("FLANNEL_SUBNET") ?? "";
  const mtu = Number(values.get("FLANNEL_MTU"));
  const ipMasq = values.get("FLANNEL_IPMASQ");
  const networkCidr = parseCidr(network);
  const subnetCidr = parseCidr(subnet);
  if (networkCidr === undefined || networkOf(networkCidr) !== networkCidr.address)
    return bad(`FLANNEL_NETWORK ${network} is not an IPv4 network`);
  if (subnetCidr === undefined) return bad(`FLANNEL_SUBNET ${subnet} is not an IPv4 CIDR`);
  if (!containsCidr(networkCidr, subnetCidr)) {
    return bad(`FLANNEL_SUBNET ${subnet} is outside FLANNEL_NETWORK ${network}`);
  }
  if (!Number.isInteger(mtu) || mtu < 576 || mtu > 65535)
    return bad(`FLANNEL_MTU ${values.get("FLANNEL_MTU")} is not an MTU`);
  if (ipMasq !== "true" && ipMasq !== "false") return bad(`FLANNEL_IPMASQ ${ipMasq} is not true or false`);
  return { ok: true, lease: { network, subnet, mtu, ipMasq: ipMasq === "true" } };
}

function bad(problem: string): LeaseResult {
  return { ok: false, problem: `subnet.env: ${problem}` };
}

/** Reads and parses flanneld's subnet file; undefined when there is none (no lease yet). */
export async function readLease(path = SUBNET_ENV_PATH): Promise<LeaseResult | undefined> {
  const text = await readFileIfExists(path);
  return text === undefined ? undefined : parseSubnetEnv(text);
}

/**
 * Whether a file was written at or after a moment given in CLOCK_MONOTONIC µs, the clock systemd reports
 * process starts in (e.g. subnet.env against flanneld's start: an older file is a lease flanneld had).
 */
export async function isWrittenSince(path: string, monotonicUs: number): Promise<boolean> {
  const written = (await stat(path).catch(() => undefined))?.mtimeMs;
  if (written === undefined) return false;
  // File times are wall-clock; process.hrtime counts CLOCK_MONOTONIC too. The kernel stamps files from a
  // coarse clock (a few ms behind), and nothing restarts flanneld and loses its lease within 10 ms.
  const agoMs = (Number(process.hrtime.bigint() / 1000n) - monotonicUs) / 1000;
  return written >= Date.now() - agoMs - COARSE_CLOCK_MS;
}
