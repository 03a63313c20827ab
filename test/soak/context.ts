import type { CharmUnit, OperationResult } from "../support/charm-unit";
import type { Container } from "../support/overlay";
import type { Machine, World } from "../world/world";
import type { HostKind, KindSpec } from "./plan";

// What fault kinds, hooks and invariants share while a soak runs.

/** A machine of the soak with its unit and its one container. */
export interface Host {
  name: string;
  kind: HostKind;
  machine: Machine;
  unit: CharmUnit;
  bridge: "lxcbr0" | "docker0";
  container: Container;
  /** The unit's etcd relation id (for relation-changed). */
  relationId: number;
  /** Its underlay address now (a renumbering fault changes it for a while). */
  address: string;
  /** True while the machine is rebooting: no hook, health probe or ping can reach it. */
  down: boolean;
}

/** Serialises hooks per unit, as a Juju unit agent runs one hook at a time. */
export interface HookQueue {
  run(
    unit: CharmUnit,
    label: string,
    operation: () => Promise<OperationResult>,
  ): Promise<OperationResult | undefined>;
}

export interface SoakContext {
  world: World;
  hosts: Host[];
  hooks: HookQueue;
  /** The etcd relation data etcd/0 publishes now (it changes with a TLS rotation). */
  etcdData(): Record<string, string>;
  /** Key material that must never show up in a log, status, argv or world-readable file. */
  secrets: Set<string>;
  note(message: string): void;
}

/** Undoes a held fault (the operator heals it); returned by inject for kinds with a hold. */
export type Heal = () => Promise<void>;

export interface FaultKind extends KindSpec {
  /** One line: what is done, and as whom (operator, package, crash). */
  what: string;
  inject(ctx: SoakContext, targets: Host[]): Promise<Heal | undefined>;
  /** After the recovery window: what the charm left unrepaired on the target, or undefined when repaired. */
  leftover?(ctx: SoakContext, target: Host): Promise<string | undefined>;
  /** Puts the machine right by hand when the charm did not, so later faults land on a sound machine. */
  restore?(ctx: SoakContext, target: Host): Promise<void>;
}

/** A shell pipeline inside the host's machine (argv first wherever no pipeline is needed). */
export function sh(host: Host, script: string, ...args: string[]): Promise<string> {
  return host.machine.run(["sh", "-c", script, "sh", ...args]);
}

/** FLANNEL_SUBNET and FLANNEL_MTU from the unit's subnet.env; undefined fields when it is missing. */
export async function subnetEnv(host: Host): Promise<{ subnet?: string; mtu?: number }> {
  const result = await host.machine.exec(["cat", "/run/flannel/subnet.env"], { direct: true });
  const subnet = /^FLANNEL_SUBNET=(\S+)$/m.exec(result.stdout)?.[1];
  const mtu = /^FLANNEL_MTU=(\d+)$/m.exec(result.stdout)?.[1];
  return { subnet, mtu: mtu === undefined ? undefined : Number(mtu) };
}

/** The service that owns the host's bridge: restarting it rebuilds the bridge and its rules from its config. */
export function bridgeService(host: Host): string {
  return host.kind === "lxc" ? "lxc-net" : "docker";
}

/** The hand repair after a firewall fault: the bridge's service puts its own rules back. */
export async function restartBridgeService(_: SoakContext, host: Host): Promise<void> {
  await host.machine.run(["systemctl", "restart", bridgeService(host)]);
}

/** An inject that does its work on the target and leaves the fault in place (nothing to heal). */
export function injectOnly(work: (host: Host) => Promise<unknown>): FaultKind["inject"] {
  return async (_, [host]) => {
    await work(host as Host);
    return undefined;
  };
}
