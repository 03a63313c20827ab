// What `npm run world -- boot` prints: the machines, and commands to copy for entering one and checking etcd.
import { type EtcdClientFiles, enterCommand, etcdCheckArgv } from "./enter";
import type { World } from "./world";

/** Where `npm run world -- boot --tls` puts etcd's client certificate inside every machine. */
export const GUEST_ETCD_CLIENT: EtcdClientFiles = {
  ca: "/etc/etcd-client/ca.pem",
  cert: "/etc/etcd-client/client.pem",
  key: "/etc/etcd-client/client-key.pem",
};

/** The etcd health check to type inside a machine of `world`. */
export function etcdCheck(world: World): string[] {
  return etcdCheckArgv(world.etcd.endpoint, world.etcd.tls ? GUEST_ETCD_CLIENT : undefined);
}

/** Copies etcd's client certificate into every machine (TLS worlds), so etcdCheck works inside them. */
export async function placeEtcdClientFiles(world: World): Promise<void> {
  const tls = world.etcd.tls;
  if (tls === undefined) return;
  for (const machine of world.machines) {
    await machine.writeFile(GUEST_ETCD_CLIENT.ca, tls.ca);
    await machine.writeFile(GUEST_ETCD_CLIENT.cert, tls.cert);
    await machine.writeFile(GUEST_ETCD_CLIENT.key, tls.key, 0o600);
  }
}

/** One line per machine, etcd, and the commands to enter a machine and check etcd from inside it. */
export function describeWorld(world: World): string[] {
  const first = world.machines[0];
  return [
    `world ${world.id}: image ${world.timings.imageMs} ms, boot ${world.timings.bootMs} ms`,
    ...world.machines.map(
      (m) => `  ${m.name} ${m.address} leader PID ${m.leaderPid} booted in ${m.bootTimesMs[0]} ms`,
    ),
    `  etcd ${world.etcd.endpoint}`,
    "",
    `enter ${first?.name ?? "a machine"} (clean environment, login shell):`,
    `  ${enterCommand(first?.leaderPid)}`,
    "then check etcd from inside it (also: ping, curl):",
    `  ${etcdCheck(world).join(" ")}`,
  ];
}
