import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CharmUnit } from "../support/charm-unit";
import {
  type Container,
  deployCluster,
  dockerContainer,
  E2E_TIMEOUT_MS,
  inSubnet,
  ping,
  subnetOf,
  waitReady,
  watchSource,
} from "../support/overlay";
import { World } from "../world/world";

const READY_LINE = /^ready docker0:(10\.10\.(\d+)\.1) subnet:(10\.10\.\2\.1\/24) mtu:1472$/;

describe(
  "Docker overlay on 2 machines (real dockerd, busybox image made with docker import)",
  { timeout: E2E_TIMEOUT_MS },
  () => {
    let world: World;
    let units: CharmUnit[];
    let lines: string[];
    const containers: Container[] = [];

    beforeAll(async () => {
      world = await World.boot({ machines: 2, docker: true });
    });
    afterAll(async () => {
      await world?.teardown();
    });

    it("every unit's ./health says ready on docker0 with distinct subnets and MTU 1472", async () => {
      units = await deployCluster(world, { containerType: "docker", etcd: "legacy" });
      lines = await waitReady(units);
      for (const line of lines) expect(line).toMatch(READY_LINE);
      expect(new Set(lines.map(subnetOf)).size).toBe(2);
    });

    it("dockerd runs with docker0 on the lease, and its containers get MTU 1472 and an address in it", async () => {
      for (const [i, unit] of units.entries()) {
        const link = JSON.parse(await unit.machine.run(["ip", "-j", "addr", "show", "dev", "docker0"]))[0];
        const held = link.addr_info.map(
          (a: { local: string; prefixlen: number }) => `${a.local}/${a.prefixlen}`,
        );
        expect(held).toContain(subnetOf(lines[i] ?? ""));
        const container = await dockerContainer(unit.machine, `d${i + 1}`);
        expect(inSubnet(container.address, subnetOf(lines[i] ?? ""))).toBe(true);
        const mtu = await unit.machine.run([
          "docker",
          "exec",
          container.name,
          "cat",
          "/sys/class/net/eth0/mtu",
        ]);
        expect(mtu.trim()).toBe("1472");
        containers.push(container);
      }
    });

    it("containers ping each other across hosts, and the receiver sees the sender's own address", async () => {
      const results: string[] = [];
      for (const [from, to] of [containers, [...containers].reverse()]) {
        if (from === undefined || to === undefined) throw new Error("two containers expected");
        const counter = await watchSource(to.machine, from.address, to.address);
        try {
          const result = await ping(from, to.address, 3);
          results.push(`${from.address} -> ${to.address}: ${result.replies}/3 seen ${await counter.count()}`);
        } finally {
          await counter.remove();
        }
      }
      for (const line of results) expect(line).toMatch(/: 3\/3 seen 3$/);
    });
  },
);
