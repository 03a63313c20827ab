import { networkOf, parseCidr } from "../flannel/ipv4-cidr";
import { BACKENDS, type Backend, CONTAINER_TYPES, type ContainerType } from "./choices";

export { BACKENDS, type Backend, CONTAINER_TYPES, type ContainerType } from "./choices";

/** The charm's options after defaults, validation and normalisation. */
export interface CharmConfig {
  readonly containerType: ContainerType;
  readonly backend: Backend;
  readonly network: string;
  readonly subnetLen: number;
  readonly etcdPrefix: string;
  readonly iface: string;
  readonly ipMasq: boolean;
}

/** Options that define the flannel network; they cannot change once it exists in etcd. */
export const FIXED_OPTIONS = ["network", "subnet-len", "backend", "etcd-prefix"] as const;

const DEFAULTS: Record<string, unknown> = {
  "container-type": "lxc",
  backend: "udp",
  network: "10.10.0.0/16",
  "subnet-len": 24,
  "etcd-prefix": "/coreos.com/network",
  iface: "",
  "ip-masq": true,
};

export type ConfigResult = { ok: true; config: CharmConfig } | { ok: false; problems: string[] };

/** Turns `config-get` output into a CharmConfig, or every problem found, each naming the option and a fix. */
export function parseCharmConfig(raw: Record<string, unknown>): ConfigResult {
  const values = { ...DEFAULTS, ...withoutNulls(raw) };
  const problems = [
    validateChoice(values, "container-type", CONTAINER_TYPES),
    validateChoice(values, "backend", BACKENDS),
    validateNetwork(values.network),
    validateSubnetLen(values["subnet-len"], values.network),
    validatePrefix(values["etcd-prefix"]),
    validateIface(values.iface),
    typeof values["ip-masq"] === "boolean"
      ? undefined
      : `ip-masq must be true or false, got ${show(values["ip-masq"])}`,
  ].filter((problem): problem is string => problem !== undefined);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: normalise(values) };
}

function normalise(values: Record<string, unknown>): CharmConfig {
  return Object.freeze({
    containerType: values["container-type"] as ContainerType,
    backend: values.backend as Backend,
    network: String(values.network),
    subnetLen: Number(values["subnet-len"]),
    etcdPrefix: String(values["etcd-prefix"]).replace(/\/+$/, ""),
    iface: String(values.iface).trim(),
    ipMasq: values["ip-masq"] as boolean,
  });
}

function withoutNulls(raw: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== null && value !== undefined));
}

function validateChoice(values: Record<string, unknown>, key: string, choices: readonly string[]) {
  if (choices.includes(values[key] as string)) return undefined;
  return `${key} must be one of ${choices.join(", ")}; got ${show(values[key])}`;
}

// ipv4-cidr, not ip-num: every hook parses config, and ip-num is 64 KB of bundle to load first.
function validateNetwork(network: unknown) {
  const cidr = typeof network === "string" ? parseCidr(network) : undefined;
  if (cidr === undefined)
    return `network must be an IPv4 CIDR such as 10.10.0.0/16; got ${show(network)} (a.b.c.d/len, len 0-32)`;
  const first = networkOf(cidr);
  if (first === cidr.address) return undefined;
  return `network ${show(network)} has host bits set; did you mean ${formatIPv4(first)}/${cidr.length}?`;
}

function formatIPv4(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

function validateSubnetLen(subnetLen: unknown, network: unknown) {
  if (!Number.isInteger(subnetLen)) return `subnet-len must be an integer such as 24; got ${show(subnetLen)}`;
  const networkLen = Number(String(network).split("/")[1]);
  const len = subnetLen as number;
  if (len > 30 || (Number.isInteger(networkLen) && len <= networkLen)) {
    return `subnet-len ${len} must be longer than the network's /${networkLen} and at most 30`;
  }
  return undefined;
}

function validatePrefix(prefix: unknown) {
  if (typeof prefix === "string" && /^(\/[A-Za-z0-9._-]+)+\/?$/.test(prefix)) return undefined;
  return `etcd-prefix must be an absolute key path such as /coreos.com/network; got ${show(prefix)}`;
}

function validateIface(iface: unknown) {
  if (typeof iface === "string" && /^[A-Za-z0-9._:-]*$/.test(iface.trim())) return undefined;
  return `iface must be an interface name or an IPv4 address (or empty for the unit's private address); got ${show(iface)}`;
}

function show(value: unknown) {
  return JSON.stringify(value);
}
