import type { Reason } from "../health/reasons";

/** The steps, in the order a hook applies them: a later one may need what an earlier one repairs. */
export const STEP_NAMES = [
  "inputs",
  "flanneld-service",
  "ip-forward",
  "lease",
  "flannel-device",
  "bridge-files",
  "bridge",
  "nat",
  "forward",
  "metrics",
  "node-startup",
  "juju",
] as const;

export type StepName = (typeof STEP_NAMES)[number];

/** One change a step's plan asks for; the hook's apply turns each kind into its effect. */
export type Effect =
  /** Inputs changed (config, relation, resource, address): the control plane runs in full. */
  | { readonly kind: "reconcile-inputs" }
  | { readonly kind: "write-tls-files" }
  | { readonly kind: "write-unit" }
  | { readonly kind: "enable-flanneld" }
  | { readonly kind: "start-flanneld" }
  /** Restarts flanneld, which takes its lease back from etcd (the lease carries this unit's address). */
  | { readonly kind: "restart-flanneld" }
  | { readonly kind: "persist-ip-forward" }
  | { readonly kind: "set-ip-forward" }
  | { readonly kind: "wait-for-lease" }
  /** Writes lxc-net's files from the lease (lxc-net restarts around the change). */
  | { readonly kind: "ensure-lxc-files" }
  | { readonly kind: "restart-lxc-net" }
  /** daemon.json and docker's drop-in from the lease; docker restarts if its bridge must move. */
  | { readonly kind: "ensure-docker-bridge" }
  | { readonly kind: "restart-docker" }
  | { readonly kind: "link-up"; readonly device: string }
  | { readonly kind: "link-mtu"; readonly device: string; readonly mtu: number }
  /** `ip route replace DESTINATION dev DEVICE scope global`, the route flanneld's udp backend adds. */
  | { readonly kind: "add-route"; readonly device: string; readonly destination: string }
  /** Puts containers' veths back on the bridge they lost (`ip link set VETH master BRIDGE`). */
  | { readonly kind: "attach-veths"; readonly device: string; readonly veths: readonly string[] }
  | { readonly kind: "iptables"; readonly args: readonly string[] }
  | { readonly kind: "open-port"; readonly port: number }
  | { readonly kind: "install-node-exporter" }
  | { readonly kind: "write-metrics-units" }
  | { readonly kind: "enable-metrics-timer" }
  | { readonly kind: "build-startup-snapshot" };

/** A difference between the machine and what it should be, and what repairs it. */
export interface Action {
  readonly step: StepName;
  readonly effect: Effect;
  /** What differs, for the trace and the waiting status. */
  readonly why: string;
  /**
   * The ./health reason when this difference breaks traffic now; undefined for what matters only later
   * (a file read at the next restart, a rule for the operator's own firewall policy).
   */
  readonly reason?: Reason;
}

/** Builds an action; reason last, since most have none. */
export function act(step: StepName, effect: Effect, why: string, reason?: Reason): Action {
  return reason === undefined ? { step, effect, why } : { step, effect, why, reason };
}

/** The first action that breaks traffic now, or undefined: the one ./health names. */
export function firstBreaking(actions: readonly Action[]): Action | undefined {
  return actions.find((action) => action.reason !== undefined);
}
