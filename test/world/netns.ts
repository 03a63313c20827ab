import { existsSync } from "node:fs";
import { execHost, runHost } from "./run";

export const UNDERLAY_PREFIX = "198.51.100";
const UNDERLAY_BRIDGE = "br0";

/** Creates a named network namespace with loopback up. */
export async function createNetns(name: string): Promise<void> {
  await runHost(["ip", "netns", "add", name]);
  await runHost(["ip", "-n", name, "link", "set", "lo", "up"]);
}

/** Deletes a namespace if it exists (its veth pairs and bridges go with it). */
export async function deleteNetns(name: string): Promise<void> {
  if (existsSync(`/run/netns/${name}`)) await runHost(["ip", "netns", "del", name]);
}

/** Names of the host's named network namespaces. */
export async function listNetns(): Promise<string[]> {
  const out = await runHost(["ip", "-o", "netns", "list"]);
  return out
    .split("\n")
    .map((line) => line.split(" ")[0] ?? "")
    .filter(Boolean);
}

/** PIDs of every process living in a namespace. */
export async function listNetnsPids(name: string): Promise<number[]> {
  const result = await execHost(["ip", "netns", "pids", name]);
  return result.stdout.split(/\s+/).filter(Boolean).map(Number);
}

/** The switch every machine plugs into; it lives in its own namespace, never in the host's. */
export async function createUnderlay(netns: string): Promise<void> {
  await createNetns(netns);
  await runHost(["ip", "-n", netns, "link", "add", UNDERLAY_BRIDGE, "type", "bridge"]);
  await runHost(["ip", "-n", netns, "link", "set", UNDERLAY_BRIDGE, "up"]);
}

export interface Attachment {
  underlay: string;
  /** Name of the bridge port in the underlay namespace, e.g. "m1". */
  port: string;
  netns: string;
  address: string;
  mtu?: number;
}

/** Plugs a namespace into the underlay as eth0 with a /24 address; the veth is born inside the namespaces. */
export async function attachToUnderlay(a: Attachment): Promise<void> {
  await runHost([
    "ip",
    "-n",
    a.underlay,
    "link",
    "add",
    a.port,
    "type",
    "veth",
    "peer",
    "name",
    "eth0",
    "netns",
    a.netns,
  ]);
  await runHost(["ip", "-n", a.underlay, "link", "set", a.port, "master", UNDERLAY_BRIDGE, "up"]);
  await runHost(["ip", "-n", a.netns, "addr", "add", `${a.address}/24`, "dev", "eth0"]);
  await runHost(["ip", "-n", a.netns, "link", "set", "eth0", "up"]);
  if (a.mtu) await setLinkMtu(a, a.mtu);
}

/** Sets the MTU on both ends of a machine's underlay link. */
export async function setLinkMtu(
  a: Pick<Attachment, "underlay" | "port" | "netns">,
  mtu: number,
): Promise<void> {
  await runHost(["ip", "-n", a.underlay, "link", "set", a.port, "mtu", String(mtu)]);
  await runHost(["ip", "-n", a.netns, "link", "set", "eth0", "mtu", String(mtu)]);
}
