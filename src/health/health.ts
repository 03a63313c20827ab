import type { ContainerType } from "../config/charm-config";
import { firstBreaking } from "../machine/actions";
import { planDataPath } from "../machine/data-path";
import type { MachineFacts } from "../machine/facts";
import type { CharmState } from "../state/charm-state";
import type { Reason } from "./reasons";

/** Everything health looks at: the hooks' verdict it cannot observe, and the machine as hooks observe it. */
export interface HealthObservation {
  /** undefined when no hook has written the state yet. */
  readonly state: CharmState | undefined;
  readonly facts: MachineFacts;
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

/**
 * The first thing that keeps the unit from being ready, as a reason token; undefined when ready. The
 * machine is judged by the hooks' own plan of its data path: ready means that plan repairs nothing.
 */
export function findReason({ state, facts }: HealthObservation): Reason | undefined {
  if (state === undefined) return "no-state";
  if (state.blocked !== undefined) return "blocked";
  if (!state.etcdRelated) return "no-etcd-relation";
  const lease = facts.lease?.ok ? facts.lease.lease : undefined;
  const want = {
    containerType: state.containerType,
    backend: state.backend ?? "udp",
    ipMasq: lease?.ipMasq ?? true,
  };
  const breaking = firstBreaking(planDataPath(facts, want));
  return breaking?.reason ?? (state.waiting === undefined ? undefined : "waiting");
}

function readableFields({ state, facts }: HealthObservation): string[] {
  const { lease, bridge } = facts;
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
