import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CharmUnit } from "../support/charm-unit";
import {
  type Container,
  deployCluster,
  E2E_TIMEOUT_MS,
  inSubnet,
  machineItself,
  ping,
  startLxcContainer,
  subnetOf,
  waitReady,
  watchSource,
} from "../support/overlay";
import { World } from "../world/world";

// m3 is like a Juju controller used for `juju ssh`: container-type none, it only routes into the overlay.
describe(
  "a routing-only machine (container-type none) reaches LXC containers on the others",
  { timeout: E2E_TIMEOUT_MS },
  () => {
    let world: World;
    let units: CharmUnit[];
    let lines: string[];

    beforeAll(async () => {
      world = await World.boot({ machines: 3, docker: false });
    });
    afterAll(async () => {
      await world?.teardown();
    });

    it("all three units are ready; the routing-only one reports its lease and no bridge", async () => {
      units = await deployCluster(world, { containerType: ["lxc", "lxc", "none"], etcd: "legacy" });
      lines = await waitReady(units);
      expect(lines[0]).toMatch(/^ready lxcbr:/);
      expect(lines[1]).toMatch(/^ready lxcbr:/);
      expect(lines[2]).toMatch(/^ready subnet:10\.10\.\d+\.1\/24 mtu:1472$/);
      expect(new Set(lines.map(subnetOf)).size).toBe(3);
    });

    it("the machine pings a container on each other machine, from its own overlay address", async () => {
      const router = units[2];
      if (router === undefined) throw new Error("three units expected");
      const flannel0 = JSON.parse(
        await router.machine.run(["ip", "-j", "-4", "addr", "show", "dev", "flannel0"]),
      )[0];
      const source: string = flannel0.addr_info[0].local;
      expect(inSubnet(source, subnetOf(lines[2] ?? ""))).toBe(true);
      const from = machineItself(router.machine, source);
      const results: string[] = [];
      for (const [i, unit] of units.slice(0, 2).entries()) {
        const container: Container = await startLxcContainer(unit.machine, `c${i + 1}`);
        const counter = await watchSource(unit.machine, source, container.address);
        try {
          const result = await ping(from, container.address, 3);
          results.push(
            `${source} -> ${container.address}: ${result.replies}/3 seen ${await counter.count()}`,
          );
        } finally {
          await counter.remove();
        }
      }
      expect(results).toHaveLength(2);
      for (const line of results) expect(line).toMatch(/: 3\/3 seen 3$/);
    });
  },
);
