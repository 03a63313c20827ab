// flanneld's service as it should be: TLS files, unit file, enablement, a pending restart and forwarding
// kept across reboots. Pure; the reconcile applies it (hooks/flanneld-service.ts), the fast path needs it
// empty. Whether flanneld runs at all is the data path's (data-path.ts): ./health judges that too.
import type { EtcdTls } from "../etcd/relation-data";
import { IP_FORWARD_SYSCTL } from "../flannel/service";
import { type Action, act } from "./actions";

/** What the service looks like on disk and to systemd. */
export interface ServiceFacts {
  readonly unitFile: string | undefined;
  /** Whether flannel.service is enabled (its WantedBy link points at the unit file). */
  readonly enabled: boolean;
  readonly sysctlFile: string | undefined;
  /** Whether ip_forward's value from before the charm is kept, to be put back on remove. */
  readonly ipForwardBeforeKept: boolean;
  /** The TLS files as they are; undefined when one of the three is missing. */
  readonly tlsFiles: { ca: string; cert: string; key: string } | undefined;
  /** Whether every TLS file is owner-only (0600). */
  readonly tlsFilesPrivate: boolean;
}

/** What the service should be: the rendered unit, etcd's credentials, and whether a restart is owed. */
export interface ServiceWant {
  readonly unitText: string;
  readonly tls: EtcdTls | undefined;
  /** A new binary, unit or credentials not yet picked up by a restart (kept in the unit record). */
  readonly restartPending: boolean;
}

/** Every action the service needs, in apply order. */
export function planService(facts: ServiceFacts, want: ServiceWant): Action[] {
  return [...planTlsFiles(facts, want.tls), ...planUnit(facts, want)];
}

/** The etcd credentials on disk, owner-only; new ones need flanneld restarted. */
export function planTlsFiles(facts: ServiceFacts, tls: EtcdTls | undefined): Action[] {
  if (tls === undefined) return [];
  const step = "flanneld-service";
  const files = facts.tlsFiles;
  const same = files?.ca === tls.ca && files.cert === tls.cert && files.key === tls.key;
  const actions: Action[] = [];
  if (!same || !facts.tlsFilesPrivate)
    actions.push(act(step, { kind: "write-tls-files" }, "etcd TLS files differ"));
  if (!same) actions.push(act(step, { kind: "restart-flanneld" }, "etcd credentials changed"));
  return actions;
}

/** The unit file, a pending restart, enablement, and forwarding kept on across reboots. */
export function planUnit(facts: ServiceFacts, want: ServiceWant): Action[] {
  const step = "flanneld-service";
  const actions: Action[] = [];
  if (facts.unitFile !== want.unitText)
    actions.push(act(step, { kind: "write-unit" }, "flanneld's unit file differs"));
  if (want.restartPending) actions.push(act(step, { kind: "restart-flanneld" }, "a restart is pending"));
  if (!facts.enabled) actions.push(act(step, { kind: "enable-flanneld" }, "flanneld is not enabled"));
  if (facts.sysctlFile !== IP_FORWARD_SYSCTL || !facts.ipForwardBeforeKept)
    actions.push(
      act("ip-forward", { kind: "persist-ip-forward" }, "ip_forward is not kept on across reboots"),
    );
  return actions;
}
