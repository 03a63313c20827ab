import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CharmUnit } from "../support/charm-unit";
import {
  type Container,
  deployCluster,
  E2E_TIMEOUT_MS,
  type EtcdShape,
  healthLines,
  inSubnet,
  ping,
  startLxcContainer,
  subnetOf,
  waitReady,
  watchSource,
} from "../support/overlay";
import { World } from "../world/world";

const READY_LINE = /^ready lxcbr:(10\.10\.(\d+)\.1) subnet:(10\.10\.\2\.1\/24) mtu:1472$/;

/** The LXC scenario on 3 booted machines, for one shape of etcd relation data. */
export function describeLxcOverlay(shape: EtcdShape) {
  describe(
    `LXC overlay on 3 machines, ${shape} etcd relation data (real lxc-start busybox containers)`,
    { timeout: E2E_TIMEOUT_MS },
    () => {
      let world: World;
      let units: CharmUnit[];
      let lines: string[];
      const containers: Container[] = [];

      beforeAll(async () => {
        world = await World.boot({ machines: 3, docker: false, etcd: { tls: shape === "modern-tls" } });
      });
      afterAll(async () => {
        await world?.teardown();
      });

      it("every unit's ./health says ready with a distinct /24 of 10.10.0.0/16 and MTU 1472", async () => {
        units = await deployCluster(world, { containerType: "lxc", etcd: shape });
        lines = await waitReady(units);
        for (const line of lines) expect(line).toMatch(READY_LINE);
        expect(new Set(lines.map(subnetOf)).size).toBe(3);
        for (const line of await healthLines(units))
          expect(line).toMatch(/^- MachineId: "\d" Stdout: ready /);
      });

      it("lxcbr0 on every machine holds the unit's lease with MTU 1472", async () => {
        for (const [i, unit] of units.entries()) {
          const link = JSON.parse(await unit.machine.run(["ip", "-j", "addr", "show", "dev", "lxcbr0"]))[0];
          expect(link.mtu).toBe(1472);
          const held = link.addr_info.map(
            (a: { local: string; prefixlen: number }) => `${a.local}/${a.prefixlen}`,
          );
          expect(held).toContain(subnetOf(lines[i] ?? ""));
        }
      });

      it("a real LXC container on every machine gets a DHCP address inside its machine's lease", async () => {
        for (const [i, unit] of units.entries()) {
          const container = await startLxcContainer(unit.machine, `c${i + 1}`);
          expect(inSubnet(container.address, subnetOf(lines[i] ?? ""))).toBe(true);
          expect(container.address).not.toMatch(/\.1$/);
          containers.push(container);
        }
      });

      it("every container pings every container on the other machines, and the receiver sees the sender's own address", async () => {
        const results: string[] = [];
        for (const from of containers) {
          for (const to of containers.filter((c) => c.machine !== from.machine)) {
            const counter = await watchSource(to.machine, from.address, to.address);
            try {
              const result = await ping(from, to.address, 3);
              results.push(
                `${from.address} -> ${to.address}: ${result.replies}/3 seen ${await counter.count()}`,
              );
            } finally {
              await counter.remove();
            }
          }
        }
        expect(results).toHaveLength(6);
        for (const line of results) expect(line).toMatch(/: 3\/3 seen 3$/);
      });

      it("the source check can tell: with the sender masqueraded, pings pass but the receiver counts none from it", async () => {
        const [from, to] = containers;
        if (from === undefined || to === undefined) throw new Error("containers expected");
        const nat = ["-s", from.address, "-d", to.address, "-j", "MASQUERADE"];
        await from.machine.run(["iptables", "-w", "-t", "nat", "-I", "POSTROUTING", "1", ...nat]);
        const counter = await watchSource(to.machine, from.address, to.address);
        try {
          expect((await ping(from, to.address, 3)).replies).toBe(3);
          expect(await counter.count()).toBe(0);
        } finally {
          await counter.remove();
          await from.machine.run(["iptables", "-w", "-t", "nat", "-D", "POSTROUTING", ...nat]);
        }
      });
    },
  );
}
