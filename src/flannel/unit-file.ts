import { isIPv4 } from "node:net";
import type { EtcdTlsPaths } from "../etcd/tls-files";
import { FLANNELD_PATH } from "./binary";
import { SUBNET_ENV_PATH } from "./subnet-env";

/** What flanneld's command line is made of. */
export interface FlanneldOptions {
  /** flanneld's path (default /usr/local/bin/flanneld). */
  readonly binary?: string;
  readonly endpoints: readonly string[];
  readonly etcdPrefix: string;
  readonly tls?: EtcdTlsPaths;
  /** The `iface` option (an interface name or IPv4 address); empty means the private address. */
  readonly iface: string;
  /** The unit's private address, used when `iface` is empty. */
  readonly privateAddress: string;
  readonly ipMasq: boolean;
  readonly subnetFile?: string;
}

// No whitespace, quotes, backslashes, "$" or "%": systemd would split, unquote, expand or substitute them.
const SAFE_ARG = /^[A-Za-z0-9_@+=:,./[\]-]+$/;

/** flanneld's arguments (without the binary); --iface is always given since machines may lack a default route. */
export function renderFlanneldArgs(options: FlanneldOptions): string[] {
  if (options.endpoints.length === 0)
    throw new RangeError("endpoints: flanneld needs at least one etcd endpoint");
  const iface = options.iface.trim() || options.privateAddress;
  return [
    `--etcd-endpoints=${checkArg("endpoints", options.endpoints.join(","))}`,
    `--etcd-prefix=${checkArg("etcd-prefix", options.etcdPrefix)}`,
    ...tlsArgs(options.tls),
    `--iface=${checkArg("iface", iface)}`,
    // flanneld announces --public-ip in its lease; with an address as iface that is the address itself.
    ...(isIPv4(iface) ? [`--public-ip=${iface}`] : []),
    ...(options.ipMasq ? ["--ip-masq"] : []),
    `--subnet-file=${checkArg("subnet-file", options.subnetFile ?? SUBNET_ENV_PATH)}`,
  ];
}

/** The systemd unit that runs flanneld; exact text, so an unchanged config renders byte-identical. */
export function renderUnitFile(options: FlanneldOptions): string {
  const binary = checkArg("binary", options.binary ?? FLANNELD_PATH);
  const command = [binary, ...renderFlanneldArgs(options)].join(" \\\n  ");
  return [
    "# Written by the flannel charm: local changes are overwritten.",
    "[Unit]",
    "Description=flannel overlay network (flanneld)",
    "Documentation=https://github.com/flannel-io/flannel",
    "After=network-online.target",
    "Wants=network-online.target",
    // Never give up restarting: a flanneld that crashed five times in 10 s must still come back alone.
    "StartLimitIntervalSec=0",
    "",
    "[Service]",
    "Type=notify",
    `ExecStart=${command}`,
    "Restart=always",
    "RestartSec=2",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

function tlsArgs(tls: EtcdTlsPaths | undefined): string[] {
  if (!tls) return [];
  return [
    `--etcd-cafile=${checkArg("tls.ca", tls.ca)}`,
    `--etcd-certfile=${checkArg("tls.cert", tls.cert)}`,
    `--etcd-keyfile=${checkArg("tls.key", tls.key)}`,
  ];
}

function checkArg(field: string, value: string): string {
  if (SAFE_ARG.test(value)) return value;
  throw new RangeError(
    `${field} ${JSON.stringify(value.slice(0, 80))} cannot go on flanneld's command line: ` +
      "use only letters, digits and _@+=:,./[]-",
  );
}
