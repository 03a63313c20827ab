import { afterEach, describe, expect, it } from "vitest";
import { assertHooksSucceeded, CharmUnit } from "../support/charm-unit";
import {
  E2E_TIMEOUT_MS,
  etcdUnitsFor,
  machineItself,
  ping,
  relateUnits,
  subnetOf,
  waitReady,
} from "../support/overlay";
import { World } from "../world/world";

// The udp backend is what every other e2e test runs; these prove the two kernel backends end to end.
let world: World | undefined;
afterEach(async () => {
  await world?.teardown();
  world = undefined;
});

/** 2 machines with the charm and `backend`; returns the units and their ready health lines. */
async function deployWith(backend: string) {
  world = await World.boot({ machines: 2, docker: false });
  const config = { "container-type": "lxc", backend };
  const units = await Promise.all(
    world.machines.map(async (machine, index) => {
      const unit = await CharmUnit.place(machine, { index, config });
      assertHooksSucceeded(await unit.deploy(), `deploy ${unit.name}`);
      return unit;
    }),
  );
  await relateUnits(units, etcdUnitsFor(world, "legacy"));
  return { units, lines: await waitReady(units) };
}

/** m1 pings m2's bridge address (the first address of m2's subnet) across the overlay. */
async function pingAcross(units: CharmUnit[], lines: string[]) {
  const [u1, u2] = units;
  if (!u1 || !u2) throw new Error("2 units expected");
  const target = subnetOf(lines[1] ?? "").split("/")[0] ?? "";
  return ping(machineItself(u1.machine, u1.machine.address), target, 3);
}

describe("the vxlan and host-gw backends", { timeout: E2E_TIMEOUT_MS }, () => {
  it("vxlan: flannel.1 is a VXLAN device on port 8472, MTU 1450, and the overlay carries pings", async () => {
    const { units, lines } = await deployWith("vxlan");
    for (const line of lines) expect(line).toMatch(/^ready lxcbr:10\.10\.\d+\.1 subnet:\S+ mtu:1450$/);
    const m1 = units[0]?.machine;
    const [link] = JSON.parse((await m1?.run(["ip", "-d", "-j", "link", "show", "flannel.1"])) ?? "[]");
    expect(link?.linkinfo?.info_kind).toBe("vxlan");
    expect(link?.linkinfo?.info_data?.port).toBe(8472);
    const config = await world?.etcdctl(["get", "/coreos.com/network/config", "--print-value-only"]);
    expect(JSON.parse(config?.stdout ?? "{}").Backend).toEqual({ Type: "vxlan" });
    expect((await pingAcross(units, lines)).replies).toBe(3);
  });

  it("host-gw: no tunnel device, a route to the peer's subnet via its underlay address, MTU 1500", async () => {
    const { units, lines } = await deployWith("host-gw");
    for (const line of lines) expect(line).toMatch(/^ready lxcbr:10\.10\.\d+\.1 subnet:\S+ mtu:1500$/);
    const [u1, u2] = units;
    const links = JSON.parse((await u1?.machine.run(["ip", "-j", "link", "show"])) ?? "[]");
    expect(links.map((l: { ifname: string }) => l.ifname)).not.toContain("flannel0");
    expect(links.map((l: { ifname: string }) => l.ifname)).not.toContain("flannel.1");
    const peerSubnet = subnetOf(lines[1] ?? "").replace(/\.1\//, ".0/");
    const routes = JSON.parse((await u1?.machine.run(["ip", "-j", "route", "show", peerSubnet])) ?? "[]");
    expect(routes[0]?.gateway).toBe(u2?.machine.address);
    expect((await pingAcross(units, lines)).replies).toBe(3);
  });
});
