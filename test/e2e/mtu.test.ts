import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildDfping,
  type Container,
  deployCluster,
  dfPing,
  E2E_TIMEOUT_MS,
  ping,
  startLxcContainer,
  waitReady,
} from "../support/overlay";
import { World } from "../world/world";

// Overlay MTU 1472 = underlay 1500 - 28 (flannel's udp backend). An ICMP echo of 1444 payload bytes is
// exactly 1472 bytes of IP. busybox ping cannot set DF (the kernel would fragment silently), so the test
// uses test/e2e/dfping.c: a raw-socket echo with IP_PMTUDISC_DO, which turns "too big" into an error.
describe(
  "overlay MTU between LXC containers on 2 machines, measured with a DF raw-socket ping (dfping.c)",
  { timeout: E2E_TIMEOUT_MS },
  () => {
    let world: World;
    let containers: Container[];

    beforeAll(async () => {
      await buildDfping();
      world = await World.boot({ machines: 2, docker: false });
    });
    afterAll(async () => {
      await world?.teardown();
    });

    it("has a ready unit and a container on each machine", async () => {
      const units = await deployCluster(world, { containerType: "lxc", etcd: "legacy" });
      await waitReady(units);
      containers = await Promise.all(units.map((unit, i) => startLxcContainer(unit.machine, `c${i + 1}`)));
      const mtu = await Promise.all(
        containers.map((c) =>
          c.machine.run(["lxc-attach", "-n", c.name, "--", "cat", "/sys/class/net/eth0/mtu"]),
        ),
      );
      expect(mtu.map((m) => m.trim())).toEqual(["1472", "1472"]);
    });

    it("a don't-fragment echo of 1444 payload bytes (1472-byte packet) crosses hosts", async () => {
      const [from, to] = containers;
      if (from === undefined || to === undefined) throw new Error("two containers expected");
      const result = await dfPing(from, to.address, 1444);
      expect(result.output).toBe(`reply bytes=1472 from=${to.address}`);
      expect(result.ok).toBe(true);
    });

    it("one byte more with don't-fragment fails with an error (EMSGSIZE), not silent loss", async () => {
      const [from, to] = containers;
      if (from === undefined || to === undefined) throw new Error("two containers expected");
      const result = await dfPing(from, to.address, 1445);
      expect(result.output).toMatch(/^error: (sendto 1473 bytes: Message too long|fragmentation needed)/);
      expect(result.ok).toBe(false);
    });

    it("without DF the same 1445-byte echo is fragmented and still answered (busybox ping)", async () => {
      const [from, to] = containers;
      if (from === undefined || to === undefined) throw new Error("two containers expected");
      expect((await ping(from, to.address, 2, 1445)).replies).toBe(2);
    });
  },
);
