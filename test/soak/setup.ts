import { assertHooksSucceeded, CharmUnit, modernEtcdData } from "../support/charm-unit";
import { type Container, dockerContainer, startPinnedLxcContainer, waitReady } from "../support/overlay";
import type { Machine } from "../world/world";
import { World } from "../world/world";
import type { Host } from "./context";
import type { HostKind } from "./plan";

// The soak's world: 4 machines with containers (2 LXC, 2 Docker) plus one machine where a unit comes and
// goes, a TLS etcd (so there is key material to keep secret), the packed charm related on each.
//
// container-type is application config in Juju; here each unit has its own emulated model, so the LXC and
// Docker units are two applications of the same charm (flannel-lxc, flannel-docker) on one etcd network,
// except that their units share the flannel/N names.

export const HOST_KINDS: readonly HostKind[] = ["lxc", "lxc", "docker", "docker"];
export const CHURN_MACHINE = `m${HOST_KINDS.length + 1}`;

export interface SoakWorld {
  world: World;
  hosts: Host[];
  churn: Machine;
  etcdData(): Record<string, string>;
}

/** Boots, deploys, waits for ready and starts one container per host; tears the world down if any step fails. */
export async function buildSoakWorld(log: (line: string) => void): Promise<SoakWorld> {
  const world = await World.boot({ machines: HOST_KINDS.length + 1, docker: true, etcd: { tls: true } });
  try {
    const etcdData = () => modernEtcdData(world.etcd.endpoint, world.etcd.tls)["etcd/0"] ?? {};
    log(`soak: world ${world.id} booted; deploying ${HOST_KINDS.join(", ")}`);
    const deployed = await Promise.all(
      HOST_KINDS.map((kind, index) => deployHost(world.machines[index] as Machine, index, kind, etcdData())),
    );
    await waitReady(deployed.map((d) => d.unit));
    const hosts: Host[] = [];
    for (const [index, d] of deployed.entries()) {
      const kind = HOST_KINDS[index] as HostKind;
      const container = await startContainer(d.unit.machine, kind, index);
      hosts.push({
        name: d.unit.machine.name,
        kind,
        machine: d.unit.machine,
        unit: d.unit,
        bridge: kind === "lxc" ? "lxcbr0" : "docker0",
        container,
        relationId: d.relationId,
        address: d.unit.machine.address,
        down: false,
      });
    }
    return { world, hosts, churn: world.machine(CHURN_MACHINE), etcdData };
  } catch (error) {
    await world.teardown();
    throw error;
  }
}

async function deployHost(machine: Machine, index: number, kind: HostKind, data: Record<string, string>) {
  const unit = await CharmUnit.place(machine, { index, config: { "container-type": kind } });
  assertHooksSucceeded(await unit.deploy(), `deploy ${unit.name}`);
  const related = await unit.relateEtcd({ "etcd/0": data });
  assertHooksSucceeded(related, `relate ${unit.name}`);
  return { unit, relationId: related.relationId ?? 0 };
}

/**
 * LXC: autostart and a pinned MAC, as an operator who wants stable addresses sets them (Debian's default
 * config draws a new MAC, so a new DHCP address, at each start). Docker: --restart always, and an init
 * (docker's tini) as PID 1, as services that stop on SIGTERM do: a bare `sleep` as PID 1 ignores it, and every
 * docker restart would then wait out the 10 s stop timeout per container.
 */
async function startContainer(machine: Machine, kind: HostKind, index: number): Promise<Container> {
  if (kind === "docker") return dockerContainer(machine, `d${index + 1}`, ["--restart", "always", "--init"]);
  return startPinnedLxcContainer(machine, `c${index + 1}`);
}
