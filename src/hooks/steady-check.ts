// The pure half of the fast path: given the inputs a hook reads (config, relation, resource) and what it
// observed on the machine, decides whether the full reconcile would change nothing. It renders every file
// with the same renderers the reconcile writes them with, so the two cannot disagree on "as it should be".
import { isIPv4 } from "node:net";
import { DAEMON_JSON_PATH, mergeDaemonJson } from "../bridges/docker/daemon-json";
import { DOCKER_DROP_IN_PATH, renderDockerDropIn } from "../bridges/docker/drop-in";
import { findMissingForwardRules, TAG } from "../bridges/forward-plan";
import type { LinkAddresses } from "../bridges/ip-addr";
import { LXC_PATHS } from "../bridges/lxc/apply";
import { renderLxcDefaultConf } from "../bridges/lxc/default-conf";
import { renderLxcNet } from "../bridges/lxc/lxc-net";
import { renderLxcNetDropIn } from "../bridges/lxc/masquerade";
import { planNatRepair } from "../bridges/nat-plan";
import { type CharmConfig, parseCharmConfig } from "../config/charm-config";
import { type EtcdAccess, type EtcdTls, parseEtcdRelation, type UnitData } from "../etcd/relation-data";
import { etcdTlsPaths } from "../etcd/tls-files";
import type { TlsProblem } from "../etcd/tls-material";
import { FLANNELD_PATH } from "../flannel/binary";
import { IP_FORWARD_SYSCTL, SYSCTL_PATH, UNIT_PATH } from "../flannel/service";
import type { Lease, LeaseResult } from "../flannel/subnet-env";
import { renderUnitFile } from "../flannel/unit-file";
import { BRIDGES } from "../health/health";
import { fingerprintOf } from "./network";
import type { UnitRecord } from "./unit-record";
import { active, type UnitStatus } from "./unit-status";

/** The files the fast path compares, by role; their paths are the reconcile's. */
export const STEADY_FILES = {
  unit: UNIT_PATH,
  sysctl: SYSCTL_PATH,
  lxcNet: LXC_PATHS.lxcNet,
  lxcDefaultConf: LXC_PATHS.defaultConf,
  lxcDropIn: LXC_PATHS.dropIn,
  daemonJson: DAEMON_JSON_PATH,
  dockerDropIn: DOCKER_DROP_IN_PATH,
} as const;

export type SteadyFile = keyof typeof STEADY_FILES;

/** Everything a no-op hook reads and observes; undefined fields were not there to read. */
export interface SteadyInputs {
  readonly record: UnitRecord;
  /** `config-get` output. */
  readonly config: Record<string, unknown>;
  /** size:mtime of the attached flannel resource; undefined when none is attached. */
  readonly resourceStamp: string | undefined;
  readonly flanneldInstalled: boolean;
  /** Every unit on the etcd relations and its data. */
  readonly etcdUnits: readonly UnitData[];
  readonly privateAddress: string;
  /** The first IPv4 address of `iface` when it names a device (undefined when it has none). */
  readonly ifaceAddress?: string;
  readonly files: Readonly<Partial<Record<SteadyFile, string>>>;
  /** The TLS files as they are; undefined when one of the three is missing. */
  readonly tlsFiles?: { ca: string; cert: string; key: string };
  /** Whether every TLS file is owner-only (0600): ensureTlsFiles tightens any other mode. */
  readonly tlsFilesPrivate: boolean;
  /** Whether the TLS files were all written before the running flanneld started, so it loaded them. */
  readonly tlsFilesLoaded: boolean;
  /** Whether ip_forward's value from before the charm is kept, and /proc's value now. */
  readonly ipForwardBeforeKept: boolean;
  readonly ipForward: string;
  readonly flanneldRunning: boolean;
  /** Whether flannel.service is enabled (its WantedBy link points at the unit file). */
  readonly flanneldEnabled: boolean;
  /** subnet.env, only if written since the running flanneld started (the lease it holds). */
  readonly heldLease: LeaseResult | undefined;
  readonly bridge: LinkAddresses | undefined;
  readonly lxcNetRunning: boolean;
  /** `iptables -t nat -S POSTROUTING` and `iptables -S FORWARD`; undefined when iptables failed. */
  readonly natRules: string | undefined;
  readonly forwardRules: string | undefined;
}

export type SteadyResult =
  | { readonly steady: true; readonly status: UnitStatus; readonly lease: Lease; readonly access: EtcdAccess }
  /** What differs first: the full reconcile runs, and says it in the trace. */
  | { readonly steady: false; readonly drift: string };

/** Whether reconcile() would find nothing to change, and if so the status it would set. */
export function checkSteady(inputs: SteadyInputs): SteadyResult {
  const parsed = parseCharmConfig(inputs.config);
  if (!parsed.ok) return drift("config is invalid");
  const config = parsed.config;
  let unproven = false;
  const checkTlsMaterial = (tls: EtcdTls) => {
    unproven = !isProvenTls(inputs, tls);
    return unproven ? UNPROVEN_TLS : undefined;
  };
  const etcd = parseEtcdRelation(inputs.etcdUnits, { checkTlsMaterial });
  if (!etcd.ok)
    return drift(unproven ? "TLS material not proven" : "etcd relation data is incomplete or invalid");
  const lease = inputs.heldLease?.ok ? inputs.heldLease.lease : undefined;
  const problem =
    findRecordDrift(inputs, config, etcd.access) ??
    findServiceDrift(inputs, config, etcd.access) ??
    (lease === undefined ? "flanneld holds no lease" : findBridgeDrift(inputs, config, lease));
  if (problem !== undefined || lease === undefined) return drift(problem ?? "flanneld holds no lease");
  const bridge = BRIDGES[config.containerType]?.name;
  const status = active(`ready: subnet ${lease.subnet} mtu ${lease.mtu}${bridge ? ` (${bridge})` : ""}`);
  return { steady: true, status, lease, access: etcd.access };
}

// The fast path does not parse certificates (node:tls alone costs a tenth of Node's start): material it
// cannot prove goes to the full reconcile, which checks it (tls-material.ts).
const UNPROVEN_TLS: TlsProblem = { field: "client_cert", message: "is not proven by the running flanneld" };

/**
 * TLS material the running flanneld loaded (the files predate its start) and then got the lease it holds
 * with (subnet.env written since its start): etcd accepted it, which is what the parse of the certificates
 * and key stands in for. Anything else is checked in full.
 */
function isProvenTls(inputs: SteadyInputs, tls: { ca: string; cert: string; key: string }): boolean {
  const files = inputs.tlsFiles;
  const same = files?.ca === tls.ca && files.cert === tls.cert && files.key === tls.key;
  return same && inputs.tlsFilesLoaded && inputs.flanneldRunning && inputs.heldLease?.ok === true;
}

function drift(what: string): SteadyResult {
  return { steady: false, drift: what };
}

// What the reconcile would write into the record: any difference means it has something to do.
function findRecordDrift(inputs: SteadyInputs, config: CharmConfig, access: EtcdAccess) {
  const { record } = inputs;
  const joined = record.joined;
  if (joined === undefined || record.restartPending) return "no network joined yet, or a restart pending";
  const { network, subnetLen, backend, etcdPrefix } = config;
  if (
    joined.network !== network ||
    joined.subnetLen !== subnetLen ||
    joined.backend !== backend ||
    joined.etcdPrefix !== etcdPrefix
  )
    return "a fixed option differs from the network joined";
  if (record.networkConfirmed !== fingerprintOf(access, etcdPrefix))
    return "etcd endpoints, prefix or credentials changed";
  if (!sameList(record.etcdEndpoints, access.endpoints) || record.etcdTls !== (access.tls !== undefined))
    return "etcd endpoints changed";
  if (record.containerType !== config.containerType || record.bridge !== config.containerType)
    return "container-type changed";
  if (record.upgradeWanted !== undefined && record.upgradeWanted !== record.resourceStamp)
    return "a flanneld upgrade is staged";
  if (inputs.resourceStamp === undefined || inputs.resourceStamp !== record.resourceStamp)
    return "the flannel resource changed";
  if (!record.flanneldVersion || !inputs.flanneldInstalled) return "flanneld is not installed";
  if (record.publicIp !== publicIpOf(inputs, config)) return "the unit's address changed";
  return undefined;
}

function findServiceDrift(inputs: SteadyInputs, config: CharmConfig, access: EtcdAccess) {
  if (access.tls) {
    const files = inputs.tlsFiles;
    const same =
      files?.ca === access.tls.ca && files.cert === access.tls.cert && files.key === access.tls.key;
    if (!same || !inputs.tlsFilesPrivate) return "etcd TLS files differ";
  }
  const unit = renderUnitOrUndefined(inputs, config, access);
  if (unit === undefined || inputs.files.unit !== unit) return "flanneld's unit file differs";
  if (
    !inputs.ipForwardBeforeKept ||
    inputs.files.sysctl !== IP_FORWARD_SYSCTL ||
    inputs.ipForward.trim() !== "1"
  )
    return "ip_forward is not on";
  if (!inputs.flanneldRunning || !inputs.flanneldEnabled) return "flanneld is not running and enabled";
  return undefined;
}

function renderUnitOrUndefined(inputs: SteadyInputs, config: CharmConfig, access: EtcdAccess) {
  try {
    return renderUnitFile({
      binary: FLANNELD_PATH,
      endpoints: access.endpoints,
      etcdPrefix: config.etcdPrefix,
      tls: access.tls ? etcdTlsPaths() : undefined,
      iface: config.iface || inputs.privateAddress,
      privateAddress: inputs.privateAddress,
      ipMasq: config.ipMasq,
    });
  } catch {
    // The reconcile blocks on values systemd would split: that is its message to give.
    return undefined;
  }
}

function findBridgeDrift(inputs: SteadyInputs, config: CharmConfig, lease: Lease) {
  const { files, bridge } = inputs;
  if (config.containerType === "lxc") {
    const same =
      files.lxcNet === renderLxcNet(files.lxcNet, lease) &&
      files.lxcDefaultConf === renderLxcDefaultConf(files.lxcDefaultConf, lease.mtu) &&
      files.lxcDropIn === renderLxcNetDropIn(lease, config.ipMasq);
    if (!same || !inputs.lxcNetRunning) return "lxc-net's files or service differ";
  }
  if (config.containerType === "docker") {
    const merge = mergeDaemonJson(files.daemonJson, lease);
    if (merge.invalidExisting || files.daemonJson !== merge.content) return "daemon.json differs";
    if (files.dockerDropIn !== renderDockerDropIn(lease.mtu)) return "docker's drop-in differs";
    if (bridge !== undefined && (!bridge.addresses.includes(lease.subnet) || bridge.mtu !== lease.mtu))
      return "docker0 is not on the lease";
  }
  return findRuleDrift(inputs, config, lease);
}

function findRuleDrift(inputs: SteadyInputs, config: CharmConfig, lease: Lease) {
  const { natRules, forwardRules } = inputs;
  if (forwardRules === undefined) return "iptables could not list FORWARD";
  if (config.containerType === "none")
    return forwardRules.includes(TAG.join(" ")) ? "the charm's FORWARD rules are left" : undefined;
  if (natRules === undefined) return "iptables could not list nat POSTROUTING";
  const plan = planNatRepair(natRules, lease, config.containerType, config.ipMasq);
  if (plan.insert.length > 0 || plan.delete.length > 0) return "nat POSTROUTING needs a repair";
  if (findMissingForwardRules(forwardRules, lease.network).length > 0) return "FORWARD rules are missing";
  return undefined;
}

/** The address flanneld registers its lease with, as the reconcile computes it. */
export function publicIpOf(
  inputs: Pick<SteadyInputs, "privateAddress" | "ifaceAddress">,
  config: CharmConfig,
) {
  if (config.iface === "" || isIPv4(config.iface)) return config.iface || inputs.privateAddress;
  return inputs.ifaceAddress;
}

function sameList(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((value, i) => value === b[i]);
}
