import { findForwardProblem } from "../bridges/forward-plan";
import type { LinkAddresses } from "../bridges/ip-addr";
import { findNatProblem } from "../bridges/nat-plan";
import type { ContainerType } from "../config/charm-config";
import type { Lease, LeaseResult } from "../flannel/subnet-env";
import type { CharmState } from "../state/charm-state";
import type { Reason } from "./reasons";

/** A bridge as `ip` shows it: IPv4 addresses with prefix length, e.g. 10.10.16.1/24, and its MTU. */
export type BridgeObservation = LinkAddresses;

/** Everything health looks at, gathered by observe.ts. */
export interface HealthObservation {
  readonly flanneldActive: boolean;
  /** undefined when subnet.env does not exist. */
  readonly lease: LeaseResult | undefined;
  /** undefined when the bridge device does not exist (or the container type has none). */
  readonly bridge: BridgeObservation | undefined;
  /** undefined when no hook has written the state yet. */
  readonly state: CharmState | undefined;
  /** `iptables -t nat -S POSTROUTING` output; undefined when not looked at or iptables could not answer. */
  readonly natRules?: string;
  /** `iptables -S FORWARD` output; undefined when not looked at or iptables could not answer. */
  readonly forwardRules?: string;
}

export interface Health {
  readonly line: string;
  readonly exitCode: 0 | 1;
}

/** The bridge each container type uses, and the label health prints for it. */
export const BRIDGES: Record<ContainerType, { name: string; label: string } | undefined> = {
  lxc: { name: "lxcbr0", label: "lxcbr" },
  docker: { name: "docker0", label: "docker0" },
  none: undefined,
};

/** Turns an observation into the one-line health report and its exit code (0 ready, 1 not ready). */
export function computeHealth(observation: HealthObservation): Health {
  const reason = findReason(observation);
  const fields = readableFields(observation);
  if (reason === undefined) return { line: ["ready", ...fields].join(" "), exitCode: 0 };
  return { line: ["not-ready", ...fields, `reason:${reason}`].join(" "), exitCode: 1 };
}

/** The first thing that keeps the unit from being ready, as a reason token; undefined when ready. */
export function findReason(observation: HealthObservation): Reason | undefined {
  const { state, lease } = observation;
  if (state === undefined) return "no-state";
  if (state.blocked !== undefined) return "blocked";
  if (!state.etcdRelated) return "no-etcd-relation";
  if (!observation.flanneldActive) return "flanneld-inactive";
  if (lease === undefined) return "no-lease";
  if (!lease.ok) return "bad-lease";
  const bridgeReason = findBridgeReason(state.containerType, lease.lease, observation.bridge);
  const natReason =
    observation.natRules === undefined
      ? undefined
      : findNatProblem(observation.natRules, lease.lease, state.containerType);
  const forwardReason =
    observation.forwardRules === undefined || BRIDGES[state.containerType] === undefined
      ? undefined
      : findForwardProblem(observation.forwardRules, lease.lease.network);
  return bridgeReason ?? natReason ?? forwardReason ?? (state.waiting === undefined ? undefined : "waiting");
}

function findBridgeReason(
  type: ContainerType,
  lease: Lease,
  bridge: BridgeObservation | undefined,
): Reason | undefined {
  if (BRIDGES[type] === undefined) return undefined;
  if (bridge === undefined) return "bridge-missing";
  if (!bridge.addresses.includes(lease.subnet)) return "bridge-mismatch";
  if (bridge.mtu !== lease.mtu) return "mtu-mismatch";
  return undefined;
}

function readableFields({ lease, bridge, state }: HealthObservation): string[] {
  const fields: string[] = [];
  const label = state === undefined ? undefined : BRIDGES[state.containerType]?.label;
  const wanted = lease?.ok ? lease.lease.subnet : undefined;
  if (label !== undefined && bridge !== undefined && bridge.addresses.length > 0) {
    const shown = wanted !== undefined && bridge.addresses.includes(wanted) ? wanted : bridge.addresses[0];
    fields.push(`${label}:${shown.split("/")[0]}`);
  }
  if (lease?.ok) fields.push(`subnet:${lease.lease.subnet}`, `mtu:${lease.lease.mtu}`);
  return fields;
}
