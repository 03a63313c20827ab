// One plan for a hook: every step's actions from what the hook observed (hook-observe.ts). Empty means the
// full reconcile would change nothing, and the hook is done (hooks/fast-path.ts): the same plans the
// reconcile applies, not a second description of the machine.
import { isIPv4 } from "node:net";
import { type CharmConfig, parseCharmConfig } from "../config/charm-config";
import { type EtcdAccess, parseEtcdRelation, type UnitData } from "../etcd/relation-data";
import { etcdTlsPaths } from "../etcd/tls-files";
import { FLANNELD_PATH } from "../flannel/binary";
import type { Lease } from "../flannel/subnet-env";
import { renderUnitFile } from "../flannel/unit-file";
import { fingerprintOf } from "../hooks/network";
import type { UnitRecord } from "../hooks/unit-record";
import { active, type UnitStatus } from "../hooks/unit-status";
import type { MetricsUnitOptions } from "../metrics/units";
import { planStartupSnapshot, type StartupSnapshotFacts } from "../runtime/startup-snapshot";
import { type Action, act } from "./actions";
import { type BridgeFileTexts, compareBridgeFiles } from "./bridge-files";
import { planDataPath } from "./data-path";
import { BRIDGE_NAMES, type MachineFacts } from "./facts";
import { type MetricsFacts, planMetrics, renderMetricsUnits } from "./metrics-plan";
import { planService, type ServiceFacts } from "./service-plan";

/** UDP ports each backend receives on; host-gw needs none. */
export const BACKEND_PORTS: Record<string, number | undefined> = {
  udp: 8285,
  vxlan: 8472,
  "host-gw": undefined,
};

/** Everything a hook observes: its inputs (hook tools), the service, the bridge's files and the machine. */
export interface HookPicture {
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
  readonly service: ServiceFacts;
  readonly bridgeFiles: BridgeFileTexts;
  /** `opened-ports` output, e.g. ["8285/udp"]. */
  readonly openedPorts: readonly string[];
  readonly machine: MachineFacts;
  /** The metrics timer's files, and what its units are rendered for (this hook's Node.js, charm, unit). */
  readonly metrics: MetricsFacts;
  readonly metricsUnit: MetricsUnitOptions;
  readonly startupSnapshot: StartupSnapshotFacts;
}

export interface HookPlan {
  readonly actions: readonly Action[];
  /** The status the reconcile would set, when the plan is empty. */
  readonly status?: UnitStatus;
  readonly lease?: Lease;
  readonly access?: EtcdAccess;
}

/** Plans every step; an empty plan comes with the ready status, the lease and how etcd is reached. */
export function planHook(picture: HookPicture): HookPlan {
  const parsed = parseCharmConfig(picture.config);
  if (!parsed.ok) return inputs("config is invalid");
  const config = parsed.config;
  const etcd = parseEtcdRelationProven(picture);
  if (!etcd.ok) return inputs(etcd.why);
  const recordDrift = findInputDrift(picture, config, etcd.access);
  if (recordDrift !== undefined) return inputs(recordDrift);
  const unitText = renderUnitOrUndefined(picture, config, etcd.access);
  if (unitText === undefined) return inputs("flanneld's settings do not render");
  const { machine } = picture;
  const lease = machine.lease?.ok ? machine.lease.lease : undefined;
  const want = { containerType: config.containerType, backend: config.backend, ipMasq: config.ipMasq };
  const files = lease && compareBridgeFiles(config.containerType, picture.bridgeFiles, lease, config.ipMasq);
  const actions = [
    ...planService(picture.service, { unitText, tls: etcd.access.tls, restartPending: false }),
    ...planDataPath(machine, want, files),
    ...planRulesListed(machine),
    ...planPorts(picture.openedPorts, config),
    ...planMetrics(picture.metrics, renderMetricsUnits(picture.metricsUnit)),
    ...planStartupSnapshot(picture.startupSnapshot),
  ];
  if (actions.length > 0 || lease === undefined) return { actions };
  const bridge = BRIDGE_NAMES[config.containerType];
  const status = active(`ready: subnet ${lease.subnet} mtu ${lease.mtu}${bridge ? ` (${bridge})` : ""}`);
  return { actions, status, lease, access: etcd.access };
}

function inputs(why: string): HookPlan {
  return { actions: [act("inputs", { kind: "reconcile-inputs" }, why)] };
}

// A hook that could not list the rules has not proven them right: the reconcile lists them again.
function planRulesListed(machine: MachineFacts): Action[] {
  if (machine.natRules !== undefined && machine.filterRules !== undefined) return [];
  return [act("inputs", { kind: "reconcile-inputs" }, "iptables could not list the rules")];
}

function planPorts(opened: readonly string[], config: CharmConfig): Action[] {
  const port = BACKEND_PORTS[config.backend];
  if (port === undefined || opened.includes(`${port}/udp`)) return [];
  return [act("juju", { kind: "open-port", port }, `${port}/udp is not open`)];
}

/**
 * The relation's etcd access. TLS material is not parsed here (node:tls alone costs a tenth of Node's
 * start): findInputDrift requires the record's fingerprint of it, which the full reconcile writes only
 * after it parsed the same material and etcd accepted it; the files' content is compared by planService.
 */
function parseEtcdRelationProven(picture: HookPicture) {
  const etcd = parseEtcdRelation(picture.etcdUnits, { checkTlsMaterial: () => undefined });
  if (etcd.ok) return { ok: true as const, access: etcd.access };
  return { ok: false as const, why: "etcd relation data is incomplete or invalid" };
}

// What the reconcile would write into the record or ask etcd: any difference sends the hook to it.
function findInputDrift(picture: HookPicture, config: CharmConfig, access: EtcdAccess): string | undefined {
  const { record } = picture;
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
  if (picture.resourceStamp !== record.resourceStamp) return "the flannel resource changed";
  if (!record.flanneldVersion || !picture.flanneldInstalled) return "flanneld is not installed";
  if (record.publicIp !== publicIpOf(picture, config)) return "the unit's address changed";
  return undefined;
}

function renderUnitOrUndefined(picture: HookPicture, config: CharmConfig, access: EtcdAccess) {
  try {
    return renderUnitFile({
      binary: FLANNELD_PATH,
      endpoints: access.endpoints,
      etcdPrefix: config.etcdPrefix,
      tls: access.tls ? etcdTlsPaths() : undefined,
      iface: config.iface || picture.privateAddress,
      privateAddress: picture.privateAddress,
      ipMasq: config.ipMasq,
    });
  } catch {
    // The reconcile blocks on values systemd would split: that is its message to give.
    return undefined;
  }
}

/** The address flanneld registers its lease with, as the reconcile computes it. */
export function publicIpOf(
  picture: Pick<HookPicture, "privateAddress" | "ifaceAddress">,
  config: CharmConfig,
) {
  if (config.iface === "" || isIPv4(config.iface)) return config.iface || picture.privateAddress;
  return picture.ifaceAddress;
}

function sameList(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((value, i) => value === b[i]);
}
