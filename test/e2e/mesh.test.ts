import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertHooksSucceeded, CharmUnit, legacyEtcdData } from "../support/charm-unit";
import { officialNodeTarball } from "../support/node-resource";
import { E2E_TIMEOUT_MS, relateUnits, subnetOf, waitReady } from "../support/overlay";
import { PeerMesh } from "../support/peer-mesh";
import { World } from "../world/world";

const EMULATOR_NODE = "/var/lib/juju-emulator/node";

// The overlay seen as one application on 3 booted machines: the peer relation, the leader's application
// status, mesh-check and ./health --peers, with one machine's overlay cut. m3 has no Node.js of its own:
// its unit runs from the `node` resource (the official linux-x64 tarball).
describe("the overlay as one application on 3 machines", { timeout: E2E_TIMEOUT_MS }, () => {
  let world: World;
  let units: CharmUnit[];
  let mesh: PeerMesh;
  let subnets: string[];

  beforeAll(async () => {
    world = await World.boot({ machines: 3, docker: false });
  });
  afterAll(async () => {
    await world?.teardown();
  });

  async function appStatus() {
    return (await units[0]?.readModel())?.appStatus;
  }

  async function meshCheck(unit: CharmUnit) {
    const result = await unit.operate("action", "mesh-check");
    return result.hooks[0] as unknown as {
      diff: { action: { status: string; message: string; results: Record<string, Record<string, string>> } };
    };
  }

  it("deploys m3's unit from the node resource on a machine without Node.js", async () => {
    const m3 = world.machine("m3");
    // The emulator stands in for the Juju agent (a Go binary): it keeps node; the charm must not find it.
    await m3.run([
      "sh",
      "-c",
      `mkdir -p /var/lib/juju-emulator && mv "$(readlink -f /usr/bin/node)" ${EMULATOR_NODE} && rm -f /usr/bin/node /usr/bin/nodejs`,
    ]);
    expect((await m3.exec(["sh", "-c", "command -v node nodejs"])).exitCode).not.toBe(0);
    const tarball = await officialNodeTarball();
    const options = [
      { index: 0, config: { "container-type": "lxc" } },
      { index: 1, config: { "container-type": "none" } },
      {
        index: 2,
        config: { "container-type": "none" },
        resources: { node: tarball },
        emulatorNode: EMULATOR_NODE,
      },
    ];
    units = await Promise.all(
      world.machines.map((machine, i) => CharmUnit.place(machine, options[i] ?? { index: i })),
    );
    const deployed = await Promise.all(units.map((unit) => unit.deploy()));
    for (const [i, result] of deployed.entries()) assertHooksSucceeded(result, `deploy flannel/${i}`);
    const logs = deployed[2]?.hooks.flatMap((hook) => hook.diff.logs.map((log) => log.message)) ?? [];
    expect(logs).toContainEqual(
      expect.stringMatching(/^installed Node\.js v20\.\d+\.\d+ from the node resource$/),
    );
    expect(await m3.run(["/opt/flannel-charm/node/bin/node", "--version"])).toMatch(/^v20\./);
  });

  it("every unit publishes its report on the peer relation; the leader sums them up", async () => {
    await relateUnits(units, legacyEtcdData("198.51.100.2", 2379));
    subnets = (await waitReady(units)).map(subnetOf);
    mesh = new PeerMesh();
    await mesh.join(...units);
    const seen =
      (await units[1]?.readModel())?.relations.find((r) => r.name === "overlay")?.remoteUnits ?? {};
    expect(Object.keys(seen).sort()).toEqual(["flannel/0", "flannel/2"]);
    expect(seen["flannel/0"]).toMatchObject({
      subnet: subnets[0],
      "public-ip": "198.51.100.11",
      backend: "udp",
      "overlay-address": subnets[0]?.split("/")[0],
      health: expect.stringMatching(/^ready lxcbr:/),
    });
    expect(seen["flannel/0"]?.["flanneld-version"]).toBeTruthy();
    expect(seen["flannel/2"]?.["overlay-address"]).toMatch(/^10\.10\.\d+\.0$/);
    expect(await appStatus()).toEqual({ status: "active", message: "3/3 units on 10.10.0.0/16 (udp)" });
  });

  it("mesh-check and ./health --peers: all green through the overlay", async () => {
    const { action } = (await meshCheck(units[0] as CharmUnit)).diff;
    expect(action.status).toBe("completed");
    for (const [i, unit] of units.entries()) {
      if (i === 0) continue;
      expect(action.results[unit.name.replace("/", "-")]).toMatchObject({
        unit: unit.name,
        subnet: subnets[i],
        sent: "3",
        received: "3",
        status: "reachable",
      });
    }
    const peers = await units[2]?.machine.exec([`${units[2]?.charmDir}/health`, "--peers"]);
    expect(peers?.exitCode).toBe(0);
    expect(peers?.stdout.trim().split("\n")).toEqual([
      expect.stringMatching(
        new RegExp(`^flannel/0 subnet:${subnets[0]} address:\\S+ sent:3 received:3 rtt:[\\d.]+ms reachable$`),
      ),
      expect.stringMatching(/^flannel\/1 .* sent:3 received:3 rtt:[\d.]+ms reachable$/),
    ]);
  });

  it("with m2's flanneld port dropped, both name exactly flannel/1", async () => {
    const m2 = world.machine("m2");
    const rule = ["INPUT", "-p", "udp", "--dport", "8285", "-j", "DROP"];
    await m2.run(["iptables", "-w", "-I", ...rule]);
    try {
      const { action } = (await meshCheck(units[0] as CharmUnit)).diff;
      expect(action.status).toBe("failed");
      expect(action.message).toBe(
        `unreachable through the overlay: flannel/1 (${(await units[1]?.readModel())?.relations.find((r) => r.name === "overlay")?.localUnitData["overlay-address"]})`,
      );
      expect(action.results["flannel-1"]).toMatchObject({ received: "0", status: "unreachable" });
      expect(action.results["flannel-2"]).toMatchObject({ received: "3", status: "reachable" });
      const started = Date.now();
      const peers = await units[2]?.machine.exec([`${units[2]?.charmDir}/health`, "--peers"]);
      const took = Date.now() - started;
      expect(peers?.exitCode).toBe(1);
      expect(peers?.stdout).toMatch(
        /^flannel\/0 .* reachable\nflannel\/1 .* received:0 rtt:- unreachable\n$/,
      );
      console.log(`./health --peers with one peer unreachable took ${took} ms (machine exec included)`);
    } finally {
      await m2.run(["iptables", "-w", "-D", ...rule]);
    }
  });

  it("the application status follows units going not-ready and leaving", async () => {
    const m3Unit = units[2] as CharmUnit;
    const etcd = (await m3Unit.readModel()).relations.find((r) => r.name === "etcd");
    assertHooksSucceeded(await m3Unit.operate("unrelate", "--relation-id", String(etcd?.id)));
    await mesh.settle();
    expect(await appStatus()).toEqual({
      status: "blocked",
      message: expect.stringMatching(/^2\/3 units ready; flannel\/2: not-ready .*reason:blocked$/),
    });
    await mesh.depart(m3Unit);
    expect(await appStatus()).toEqual({
      status: "active",
      message: "2/2 units on 10.10.0.0/16 (udp); flannel/2 gone, its lease awaits reclaim",
    });
  });

  it("the leader reclaims the lease of the unit gone without its remove hook, never a foreign one", async () => {
    const leader = units[0] as CharmUnit;
    const keyOf = (subnet: string | undefined) =>
      `/coreos.com/network/subnets/${subnet?.replace(/\.1\/(\d+)$/, ".0-$1")}`;
    const leases = async () => {
      const result = await world.etcdctl(["get", "--prefix", "--keys-only", "/coreos.com/network/subnets/"]);
      return result.stdout.split("\n").filter((line) => line.trim() !== "");
    };
    // Another application sharing the prefix: its lease was never recorded as one of ours.
    const foreign = keyOf(["10.10.250.1/24", "10.10.251.1/24"].find((subnet) => !subnets.includes(subnet)));
    const foreignValue = JSON.stringify({ PublicIP: "198.51.100.99", PublicIPv6: null });
    expect((await world.etcdctl(["put", foreign, foreignValue])).exitCode).toBe(0);
    // flannel/2 departed in the previous step with its flanneld stopped but its lease kept (no remove hook).
    expect(await leases()).toContain(keyOf(subnets[2]));
    expect((await appStatus())?.message).toBe(
      "2/2 units on 10.10.0.0/16 (udp); flannel/2 gone, its lease awaits reclaim",
    );
    assertHooksSucceeded(await leader.configure({ "lease-reclaim-grace": 5 }));
    const deadline = Date.now() + 60_000;
    while ((await leases()).includes(keyOf(subnets[2])) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      assertHooksSucceeded(await leader.updateStatus());
    }
    expect((await leases()).sort()).toEqual([keyOf(subnets[0]), keyOf(subnets[1]), foreign].sort());
    const subnet2 = keyOf(subnets[2]).split("/").pop()?.replace("-", "/");
    expect((await appStatus())?.message).toBe(
      `2/2 units on 10.10.0.0/16 (udp); reclaimed flannel/2's lease ${subnet2}`,
    );
    const logs = (await leader.readModel()).logs.map((log) => log.message);
    expect(logs).toContainEqual(
      expect.stringMatching(
        /^overlay:\d+: reclaimed the lease of flannel\/2 |^reclaimed the lease of flannel\/2 /,
      ),
    );
    // The subnet is free again: flannel/2's machine, back on the overlay, takes it from its subnet.env.
    const m3Unit = units[2] as CharmUnit;
    assertHooksSucceeded(await m3Unit.relateEtcd(legacyEtcdData("198.51.100.2", 2379)));
    expect(subnetOf((await waitReady([m3Unit]))[0] ?? "")).toBe(subnets[2]);
    await mesh.join(m3Unit);
    expect((await appStatus())?.message).toMatch(/^3\/3 units on 10\.10\.0\.0\/16 \(udp\)/);
    expect(await leases()).toContain(foreign);
  });
});
