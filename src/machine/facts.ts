// What the data path of this machine looks like now, read cheaply (files, /proc, cgroups, one `ip` and one
// `iptables-save`): the one observation that hooks plan from and ./health judges. No execa, no Juju tools.
import { type LinkAddresses, parseIpAddrJsonByName } from "../bridges/ip-addr";
import type { Run } from "../bridges/programs";
import type { Backend, ContainerType } from "../config/choices";
import { IP_FORWARD_PROC_PATH, LEASE_FILE_GRACE_US, UNIT_PATH } from "../flannel/service";
import { isWrittenSince, type LeaseResult, readLease, SUBNET_ENV_PATH } from "../flannel/subnet-env";
import { readFile, stat } from "../fs/small-files";
import { lightRun } from "../health/light-run";
import { probeUnit, type UnitProbeOptions } from "../health/unit-running";
import { IPTABLES_SAVE, type RuleListings, toRuleListings } from "./iptables-save";
import { type Route, readRoutes } from "./routes";

/** The bridge each container type uses. */
export const BRIDGE_NAMES: Record<ContainerType, string | undefined> = {
  lxc: "lxcbr0",
  docker: "docker0",
  none: undefined,
};

/** The device flanneld creates for each backend; host-gw routes over the underlay and makes none. */
export const FLANNEL_DEVICE_NAMES: Record<Backend, string | undefined> = {
  udp: "flannel0",
  vxlan: "flannel.1",
  "host-gw": undefined,
};

/** The arguments of the one `ip` call: every device with its addresses, flags and MTU. */
export const IP_ADDR_ARGS = ["-j", "addr", "show"];

/** Where lxc-net keeps its run state (Debian's /usr/libexec/lxc/lxc-net). */
const LXC_RUN = "/run/lxc";

/** What the observation is about: which bridge and which flannel device matter here. */
export interface MachineScope {
  readonly containerType: ContainerType;
  readonly backend: Backend;
}

/** lxc-net as its own script knows it: started (its network_up flag) and its dnsmasq alive. */
export interface LxcNetFacts {
  readonly started: boolean;
  readonly dnsmasq: boolean;
}

/** The machine's data path as it is now; undefined fields were not there. */
export interface MachineFacts {
  readonly flanneldRunning: boolean;
  /** When the running flanneld started (CLOCK_MONOTONIC µs); undefined when none runs or unknown. */
  readonly flanneldStartedUs: number | undefined;
  /** subnet.env, unless the running flanneld started after it was written (then it holds no lease). */
  readonly lease: LeaseResult | undefined;
  /** flanneld has run long enough to have written subnet.env, and it is gone (say `rm -rf /run/flannel`). */
  readonly leaseFileLost: boolean;
  /** /proc/sys/net/ipv4/ip_forward, trimmed. */
  readonly ipForward: string;
  /** The address flanneld announces in its lease (`--public-ip` in its unit); undefined when it names none. */
  readonly announced: string | undefined;
  /** Every IPv4 address the machine has now, without prefix length. */
  readonly localAddresses: readonly string[];
  readonly flannelDevice: LinkAddresses | undefined;
  readonly bridge: LinkAddresses | undefined;
  /**
   * Containers' host-side veths on no bridge: what a deleted bridge leaves behind (LXC and docker attach a
   * veth only when the container starts). Told apart from the machine's own links by having no address.
   */
  readonly detachedVeths: readonly string[];
  readonly routes: readonly Route[];
  /** Only for lxc. */
  readonly lxcNet: LxcNetFacts | undefined;
  /** nat POSTROUTING and the filter table as `iptables -S` lists them; undefined when iptables-save failed. */
  readonly natRules: string | undefined;
  readonly filterRules: string | undefined;
}

export interface ObserveOptions {
  readonly run?: Run;
  readonly subnetEnvPath?: string;
  /** The flanneld systemd unit. */
  readonly unit?: string;
  /** Where PID 1's /proc entry and the cgroup mounts are (tests point these at a fake tree). */
  readonly probe?: UnitProbeOptions;
  readonly procRoutePath?: string;
  readonly ipForwardPath?: string;
  readonly unitPath?: string;
  readonly lxcRunDir?: string;
  readonly nowUs?: () => number;
}

/** Reads the machine's data path for the scope, every read side by side. */
export async function observeMachine(
  scope: MachineScope,
  options: ObserveOptions = {},
): Promise<MachineFacts> {
  const run = options.run ?? lightRun;
  const subnetEnvPath = options.subnetEnvPath ?? SUBNET_ENV_PATH;
  const [flanneld, lease, links, routes, ipForward, unitText, lxcNet, rules] = await Promise.all([
    probeUnit(options.unit ?? "flannel", run, options.probe),
    readLease(subnetEnvPath),
    readLinks(run),
    readRoutes(options.procRoutePath),
    readFile(options.ipForwardPath ?? IP_FORWARD_PROC_PATH, "utf8").catch(() => ""),
    readFile(options.unitPath ?? UNIT_PATH, "utf8").catch(() => ""),
    scope.containerType === "lxc" ? readLxcNet(options.lxcRunDir ?? LXC_RUN) : undefined,
    listRules(run),
  ]);
  const startedUs = flanneld.running ? await flanneld.startedUs() : undefined;
  const stale =
    startedUs !== undefined && lease !== undefined && !(await isWrittenSince(subnetEnvPath, startedUs));
  const now = options.nowUs?.() ?? Number(process.hrtime.bigint() / 1000n);
  const device = FLANNEL_DEVICE_NAMES[scope.backend];
  const bridge = BRIDGE_NAMES[scope.containerType];
  return {
    flanneldRunning: flanneld.running,
    flanneldStartedUs: startedUs,
    lease: stale ? undefined : lease,
    leaseFileLost: startedUs !== undefined && lease === undefined && now - startedUs >= LEASE_FILE_GRACE_US,
    ipForward: ipForward.trim(),
    announced: /\s--public-ip=(\S+)/.exec(unitText)?.[1],
    localAddresses: [...links.values()].flatMap((link) =>
      link.addresses.map((cidr) => cidr.split("/")[0] ?? ""),
    ),
    flannelDevice: device === undefined ? undefined : links.get(device),
    bridge: bridge === undefined ? undefined : links.get(bridge),
    detachedVeths: [...links.values()].filter(isDetachedVeth).map((link) => link.name),
    routes,
    lxcNet,
    natRules: rules?.nat,
    filterRules: rules?.filter,
  };
}

function isDetachedVeth(link: LinkAddresses): boolean {
  return (
    link.name.startsWith("veth") && link.peerElsewhere === true && !link.master && link.addresses.length === 0
  );
}

async function readLinks(run: Run): Promise<Map<string, LinkAddresses>> {
  const { exitCode, stdout } = await run("ip", IP_ADDR_ARGS);
  return exitCode === 0 ? parseIpAddrJsonByName(stdout) : new Map();
}

// A failed read is "could not list", not a drift: nothing is planned from it.
async function listRules(run: Run): Promise<RuleListings | undefined> {
  const [file, ...args] = IPTABLES_SAVE;
  const { exitCode, stdout } = await run(file, args, { timeoutMs: 3_000 });
  return exitCode === 0 ? toRuleListings(stdout) : undefined;
}

async function readLxcNet(runDir: string): Promise<LxcNetFacts> {
  const [flag, pid] = await Promise.all([
    stat(`${runDir}/network_up`).catch(() => undefined),
    readFile(`${runDir}/dnsmasq.pid`, "utf8").catch(() => ""),
  ]);
  const comm = /^\d+$/.test(pid.trim())
    ? await readFile(`/proc/${pid.trim()}/comm`, "utf8").catch(() => "")
    : "";
  return { started: flag !== undefined, dnsmasq: comm.trim() === "dnsmasq" };
}
