import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { CharmUnit, OperationResult } from "../support/charm-unit";
import { sleep } from "../support/overlay";
import { ETCD_ADDRESS } from "../world/etcd";
import { worldDir } from "../world/leftovers";
import { createTls, readTlsClient } from "../world/tls";
import type { World } from "../world/world";
import { leaseKeyOf, readLeases } from "./campaign";

// Faults the operator-side scenarios inject into the world's etcd, and what they look at afterwards.

/** Stops etcd, deletes its data directory, and starts it empty (a member restored from nothing). */
export async function wipeEtcd(world: World): Promise<void> {
  await world.etcd.stop();
  await rm(join(worldDir(world.id), "etcd", "data"), { recursive: true, force: true });
  await world.etcd.start();
}

/** Gives etcd a new CA, server and client certificates (the old ones stop working) and restarts it. */
export async function rotateEtcdTls(world: World): Promise<void> {
  const files = await createTls(join(worldDir(world.id), "etcd", "tls"), [ETCD_ADDRESS, "127.0.0.1"]);
  await world.etcd.stop();
  await world.etcd.start();
  world.etcd.tls = await readTlsClient(files);
}

/** Runs `remote-change` of etcd/0 on the unit's etcd relation with new data (of any size: sent on stdin). */
export function etcdChanges(unit: CharmUnit, relationId: number, data: Record<string, string>) {
  return unit.remoteChange(relationId, "etcd/0", data);
}

/** Every juju-log message and status message of an operation, one text. */
export function hookOutput(result: OperationResult): string {
  return result.hooks
    .flatMap((hook) => [
      ...hook.diff.logs.map((log) => `${log.level} ${log.message}`),
      ...hook.diff.statuses.map((status) => `${status.status}: ${status.message}`),
      hook.stdout,
      hook.stderr,
    ])
    .join("\n");
}

/** Statuses the operation's hooks set, in order. */
export function statusesOf(result: OperationResult): string[] {
  return result.hooks.flatMap((hook) => hook.diff.statuses.map((s) => `${s.status}: ${s.message}`));
}

/**
 * Samples ./health and etcd together until `until` resolves: each `ready` line whose subnet is not leased
 * in etcd to the unit's address at that moment is a lie (a stale subnet.env shown as a lease).
 */
export async function watchHealthTruth<T>(
  world: World,
  unit: CharmUnit,
  publicIp: string,
  until: Promise<T>,
): Promise<{ value: T; lies: string[]; lines: string[] }> {
  const lies: string[] = [];
  const lines: string[] = [];
  let done = false;
  const watcher = (async () => {
    while (!done) {
      const line = (await unit.health()).stdout.trim();
      if (!lines.includes(line)) lines.push(line);
      const subnet = /^ready .*subnet:(\S+)/.exec(line)?.[1];
      if (subnet !== undefined) {
        const leases = await readLeases(world).catch(() => new Map<string, string>());
        const owner = leases.get(leaseKeyOf(subnet));
        if (owner !== publicIp)
          lies.push(`${unit.name}: '${line}' while etcd leases it to ${owner ?? "nobody"}`);
      }
      await sleep(300);
    }
  })();
  try {
    return { value: await until, lies, lines };
  } finally {
    done = true;
    await watcher;
  }
}

/** Files under `dirs` that are readable by anyone and contain `needle`. */
export async function worldReadableWith(unit: CharmUnit, needle: string, dirs: string[]): Promise<string[]> {
  const script =
    'n="$1"; shift; grep -rlF -- "$n" "$@" 2>/dev/null | while read -r f; do [ "$(( 0$(stat -c %a "$f") & 4 ))" -ne 0 ] && echo "$f"; done; true';
  const out = await unit.machine.run(["bash", "-c", script, "x", needle, ...dirs]);
  return out.split("\n").filter((line) => line.trim() !== "");
}

/** Process command lines (/proc/*\/cmdline) containing `needle`. */
export async function cmdlinesWith(unit: CharmUnit, needle: string): Promise<string[]> {
  const script =
    'for f in /proc/[0-9]*/cmdline; do tr "\\0" " " <"$f" 2>/dev/null | grep -F -- "$1"; done; true';
  const out = await unit.machine.run(["bash", "-c", script, "x", needle]);
  return out.split("\n").filter((line) => line.trim() !== "" && !line.includes("/proc/[0-9]*"));
}
