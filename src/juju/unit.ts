import { ResourceNotAttachedError, translated, UnexpectedOutputError } from "./errors";
import { runHookTool, runHookToolJson } from "./hook-tool";
import { asBoolean, asMap, asString } from "./shapes";

export type Protocol = "tcp" | "udp";

/** `config-get --format=json`: the charm's options; unset options without a default are omitted. */
export async function configGet(): Promise<Record<string, unknown>> {
  return asMap("config-get", await translated(() => runHookToolJson("config-get", [])));
}

/** `unit-get --format=json KEY`: e.g. the unit's private-address. */
export async function unitGet(key: "private-address" | "public-address"): Promise<string> {
  return asString("unit-get", await translated(() => runHookToolJson("unit-get", [key])));
}

/** `is-leader --format=json`: whether this unit is its application's leader. */
export async function isLeader(): Promise<boolean> {
  return asBoolean("is-leader", await translated(() => runHookToolJson("is-leader", [])));
}

/** `open-port PORT/PROTO`: opens a port on the unit's machine. */
export async function openPort(port: number, protocol: Protocol = "tcp"): Promise<void> {
  await translated(() => runHookTool("open-port", [portSpec(port, protocol)]));
}

/** `close-port PORT/PROTO`: closes a port opened by openPort. */
export async function closePort(port: number, protocol: Protocol = "tcp"): Promise<void> {
  await translated(() => runHookTool("close-port", [portSpec(port, protocol)]));
}

/** `opened-ports --format=json`: the ports this unit opened, e.g. ["8285/udp"]. */
export async function openedPorts(): Promise<string[]> {
  const raw = await translated(() => runHookToolJson("opened-ports", []));
  return Array.isArray(raw) ? raw.map(String) : [];
}

/** `resource-get NAME`: the local path of the attached resource, or undefined when none was attached. */
export async function resourceGet(name: string): Promise<string | undefined> {
  try {
    const path = (await translated(() => runHookTool("resource-get", [name]))).trim();
    if (!path.startsWith("/")) throw new UnexpectedOutputError("resource-get", "an absolute path", path);
    return path;
  } catch (error) {
    if (error instanceof ResourceNotAttachedError) return undefined;
    throw error;
  }
}

/** The parts of `network-get --format=json BINDING` the charm uses. */
export interface NetworkInfo {
  bindAddresses: { interfaceName: string; addresses: string[] }[];
  ingressAddresses: string[];
  egressSubnets: string[];
}

/** `network-get --format=json BINDING`: the addresses and interfaces Juju chose for a binding. */
export async function networkGet(binding: string): Promise<NetworkInfo> {
  const raw = asMap("network-get", await translated(() => runHookToolJson("network-get", [binding])));
  const binds = Array.isArray(raw["bind-addresses"])
    ? (raw["bind-addresses"] as Record<string, unknown>[])
    : [];
  return {
    bindAddresses: binds.map((bind) => ({
      interfaceName: String(bind["interface-name"] ?? ""),
      addresses: (Array.isArray(bind.addresses) ? bind.addresses : []).map((a) =>
        String((a as Record<string, unknown>).address ?? (a as Record<string, unknown>).value ?? ""),
      ),
    })),
    ingressAddresses: stringList(raw["ingress-addresses"]),
    egressSubnets: stringList(raw["egress-subnets"]),
  };
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function portSpec(port: number, protocol: Protocol): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`port must be an integer 1-65535; got ${JSON.stringify(port)}`);
  }
  return `${port}/${protocol}`;
}
