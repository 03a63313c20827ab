import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertHooksSucceeded, type CharmUnit, legacyEtcdData } from "../support/charm-unit";
import { deployCluster, E2E_TIMEOUT_MS, subnetOf, waitReady } from "../support/overlay";
import { World } from "../world/world";

const BRIDGE_FILES = ["/etc/default/lxc-net", "/etc/lxc/default.conf"];

// The overlay across a relation broken and restored, then a unit removed, on 2 booted machines.
describe(
  "overlay lifecycle on 2 machines: relation broken and back, a unit removed",
  { timeout: E2E_TIMEOUT_MS },
  () => {
    let world: World;
    let units: CharmUnit[];
    let subnets: string[];
    let originalFiles: string[];

    beforeAll(async () => {
      world = await World.boot({ machines: 2, docker: false });
    });
    afterAll(async () => {
      await world?.teardown();
    });

    async function relationId(unit: CharmUnit): Promise<string> {
      const model = JSON.parse(await unit.machine.readFile("/var/lib/juju-emulator/model.json"));
      return String(model.relations.find((r: { name: string }) => r.name === "etcd").id);
    }

    async function leaseKeys(): Promise<string[]> {
      const result = await world.etcdctl(["get", "--prefix", "--keys-only", "/coreos.com/network/subnets/"]);
      expect(result.exitCode).toBe(0);
      return result.stdout.split("\n").filter((line) => line.trim() !== "");
    }

    const keyOf = (subnet: string) => `/coreos.com/network/subnets/${subnet.replace(".1/24", ".0-24")}`;

    it("both units become ready with a lease each", async () => {
      const m2 = world.machine("m2");
      originalFiles = await Promise.all(BRIDGE_FILES.map((path) => m2.readFile(path)));
      units = await deployCluster(world, { containerType: "lxc", etcd: "legacy" });
      subnets = (await waitReady(units)).map(subnetOf);
      expect((await leaseKeys()).sort()).toEqual(subnets.map(keyOf).sort());
    });

    it("relation broken: every unit is blocked and ./health says not-ready", async () => {
      for (const unit of units) {
        assertHooksSucceeded(await unit.operate("unrelate", "--relation-id", await relationId(unit)));
        expect((await unit.status()).status).toBe("blocked");
        const health = await unit.health();
        expect(health.stdout).toMatch(/^not-ready /);
        expect(health.exitCode).toBe(1);
      }
    });

    it("relation back: ready again on the same subnets", async () => {
      for (const unit of units) await unit.relateEtcd(legacyEtcdData("198.51.100.2", 2379));
      expect((await waitReady(units)).map(subnetOf)).toEqual(subnets);
    });

    it("unit removed: its lease key is gone from etcd and its machine's bridge files are restored", async () => {
      const [kept, removed] = units;
      if (kept === undefined || removed === undefined) throw new Error("two units expected");
      assertHooksSucceeded(await removed.operate("remove"));
      expect(await leaseKeys()).toEqual([keyOf(subnets[0] ?? "")]);
      const files = await Promise.all(BRIDGE_FILES.map((path) => removed.machine.readFile(path)));
      expect(files).toEqual(originalFiles);
      expect((await waitReady([kept])).map(subnetOf)).toEqual([subnets[0]]);
    });
  },
);
