import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertHooksSucceeded, type CharmUnit } from "../support/charm-unit";
import { deployCluster, E2E_TIMEOUT_MS, subnetOf, waitReady } from "../support/overlay";
import { FLANNELD_BINARY } from "../support/paths";
import { PeerMesh } from "../support/peer-mesh";
import { type Machine, World } from "../world/world";

const RESOURCE = (index: number) => `/var/lib/juju/agents/unit-flannel-${index}/resources/flannel/flanneld`;
const STOP_FILE = "/var/lib/stop-pingers";

// `juju attach-resource flannel flannel=./flanneld-new` on 3 booted machines: upgrade-charm fires on every
// unit at once; the units take turns through the peer relation, so one flanneld restarts at a time.
describe("rolling flanneld upgrade on 3 machines", { timeout: E2E_TIMEOUT_MS * 2 }, () => {
  let world: World;
  let units: CharmUnit[];
  let mesh: PeerMesh;
  let subnets: string[];
  let addresses: string[];

  beforeAll(async () => {
    world = await World.boot({ machines: 3, docker: false });
  });
  afterAll(async () => {
    await world?.teardown();
  });

  async function attachEverywhere(content: (machine: Machine) => Promise<void>) {
    await Promise.all(units.map(async (unit) => content(unit.machine)));
    return Promise.all(units.map((unit) => unit.operate("upgrade-charm")));
  }

  const flanneldPid = (unit: CharmUnit) =>
    unit.machine.run(["systemctl", "show", "-p", "MainPID", "--value", "flannel"]);

  it("three units on the overlay, each publishing its overlay address", async () => {
    units = await deployCluster(world, { containerType: "none", etcd: "legacy" });
    subnets = (await waitReady(units)).map(subnetOf);
    mesh = new PeerMesh();
    await mesh.join(...units);
    addresses = await Promise.all(
      units.map(async (unit) => {
        const relation = (await unit.readModel()).relations.find((r) => r.name === "overlay");
        return relation?.localUnitData["overlay-address"] ?? "";
      }),
    );
    expect(addresses.every((address) => /^10\.10\.\d+\.0$/.test(address))).toBe(true);
  });

  it("a new binary that fails its checks blocks every unit and leaves the old flanneld running", async () => {
    const before = await Promise.all(units.map(flanneldPid));
    // An ELF that cannot run: the real flanneld cut short.
    const results = await attachEverywhere(async (machine) => {
      const index = world.machines.indexOf(machine);
      await machine.run([
        "sh",
        "-c",
        `head -c 4000000 /usr/local/bin/flanneld > ${RESOURCE(index)}.new && mv ${RESOURCE(index)}.new ${RESOURCE(index)}`,
      ]);
    });
    for (const result of results) assertHooksSucceeded(result, "upgrade-charm with a broken flanneld");
    for (const unit of units) {
      expect(await unit.status()).toEqual({
        status: "blocked",
        message: expect.stringMatching(
          /^the flannel resource is not a usable flanneld \(.*'--version' failed.*\): attach a good one with 'juju attach-resource flannel flannel=\.\/flanneld'$/,
        ),
      });
    }
    expect(await Promise.all(units.map(flanneldPid))).toEqual(before);
  });

  it("a good new binary: one unit restarts at a time, every unit keeps its subnet", async () => {
    const before = await Promise.all(units.map(flanneldPid));
    const stopPingers = await startPingers();
    let successes: Map<string, number[]>;
    try {
      await upgradeEverywhere();
    } finally {
      successes = await stopPingers();
    }

    const after = await Promise.all(units.map(flanneldPid));
    for (const [i, pid] of after.entries()) expect(pid).not.toBe(before[i]);
    for (const unit of units) {
      expect(await unit.machine.run(["sh", "-c", "tail -c 15 /usr/local/bin/flanneld"])).toBe(
        "upgrade-marker\n",
      );
    }
    expect((await waitReady(units)).map(subnetOf)).toEqual(subnets);

    const restarts = await Promise.all(units.map((unit) => restartWindow(unit.machine)));
    const order = [...restarts.entries()].sort((a, b) => a[1].start - b[1].start);
    for (let k = 1; k < order.length; k++) {
      const [, previous] = order[k - 1] as [number, Window];
      const [, current] = order[k] as [number, Window];
      expect(current.start).toBeGreaterThanOrEqual(previous.end);
    }
    const gaps = units.map((_, target) => gapTo(target, successes, restarts[target] as Window));
    console.log(
      `rolling upgrade: restart order ${order.map(([i]) => units[i]?.name).join(" -> ")}; ` +
        units
          .map(
            (unit, i) =>
              `${unit.name} flanneld down ${((restarts[i]?.end ?? 0) - (restarts[i]?.start ?? 0)).toFixed(2)} s, data-plane gap ${gaps[i]?.toFixed(2)} s`,
          )
          .join("; "),
    );
    const leader = units[0] as CharmUnit;
    expect((await leader.readModel()).appStatus.message).toBe("3/3 units on 10.10.0.0/16 (udp)");
  });

  // A different build of the same flanneld attached everywhere at once; the units settle the turns.
  async function upgradeEverywhere() {
    // The real binary with a marker appended (ELF loaders ignore it).
    const results = await attachEverywhere(async (machine) => {
      const index = world.machines.indexOf(machine);
      await machine.copyIn(FLANNELD_BINARY, `${RESOURCE(index)}.new`);
      await machine.run([
        "sh",
        "-c",
        `echo upgrade-marker >> ${RESOURCE(index)}.new && mv ${RESOURCE(index)}.new ${RESOURCE(index)}`,
      ]);
    });
    for (const result of results) assertHooksSucceeded(result, "upgrade-charm");
    await mesh.settle(30);
    await waitReady(units);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }

  interface Window {
    start: number;
    end: number;
  }

  // Every machine pings both others' overlay addresses every 0.1 s until the stop file appears, appending the
  // time of each reply to a file; resolves once every pinger has had a reply, with a function that stops them
  // and returns the reply times per "source->target".
  async function startPingers() {
    await Promise.all(
      units.map((unit) =>
        unit.machine.run(["rm", "-f", STOP_FILE, "/var/lib/pings-0", "/var/lib/pings-1", "/var/lib/pings-2"]),
      ),
    );
    const script = `while [ ! -e ${STOP_FILE} ]; do
  if busybox ping -c 1 -W 1 "$1" >/dev/null 2>&1; then date +%s.%N >> "$2"; fi; sleep 0.1
done`;
    const pairs = units.flatMap((_, s) => units.flatMap((_, t) => (s === t ? [] : [[s, t] as const])));
    const loops = pairs.map(([s, t]) =>
      units[s]?.machine.run(["sh", "-c", script, "sh", addresses[t] ?? "", `/var/lib/pings-${t}`], {
        timeoutMs: 1_500_000,
      }),
    );
    const stop = async () => {
      await Promise.all(units.map((unit) => unit.machine.run(["touch", STOP_FILE])));
      await Promise.all(loops);
      const entries = pairs.map(async ([s, t]) => {
        const text = await units[s]?.machine.readFile(`/var/lib/pings-${t}`);
        return [`${s}->${t}`, (text ?? "").trim().split("\n").map(Number)] as const;
      });
      return new Map(await Promise.all(entries));
    };
    const deadline = Date.now() + 60_000;
    for (;;) {
      const started = await Promise.all(
        pairs.map(([s, t]) => units[s]?.machine.exec(["test", "-s", `/var/lib/pings-${t}`])),
      );
      if (started.every((result) => result?.exitCode === 0)) return stop;
      if (Date.now() > deadline) {
        await stop();
        throw new Error("the pingers got no reply within 60 s");
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  async function restartWindow(machine: Machine): Promise<Window> {
    const journal = await machine.run(["journalctl", "-u", "flannel", "-o", "short-unix", "--no-pager"]);
    const lines = journal.split("\n");
    const time = (pattern: RegExp) =>
      Number(
        lines
          .filter((line) => pattern.test(line))
          .at(-1)
          ?.split(" ")[0],
      );
    return { start: time(/Stopping flannel/), end: time(/Started flannel/) };
  }

  // The longest time without replies to `target`, from any other machine, around its restart.
  function gapTo(target: number, successes: Map<string, number[]>, restart: Window): number {
    let worst = 0;
    for (const [key, times] of successes) {
      if (!key.endsWith(`->${target}`)) continue;
      for (let k = 1; k < times.length; k++) {
        const [a, b] = [times[k - 1] ?? 0, times[k] ?? 0];
        if (b >= restart.start - 1 && a <= restart.end + 1) worst = Math.max(worst, b - a);
      }
    }
    return worst;
  }
});
