// Ping round trips over the flannel overlay versus the plain underlay, on 2 booted machines (not a test:
// timings vary with the host). Run as root from the repo, after `npm run pack` and the emulator bundle
// (`npm run demo` builds both):
//   npx esbuild bench/overlay-rtt.ts --bundle --platform=node --format=esm --packages=external \
//     --outfile=build/harness/overlay-rtt.mjs && node build/harness/overlay-rtt.mjs [--count 50]
import { Command } from "commander";
import { deployCluster, machineItself, ping, startLxcContainer, waitReady } from "../test/support/overlay";
import { World } from "../test/world/world";

async function bench(count: number) {
  const world = await World.boot({ machines: 2, docker: false });
  try {
    const started = Date.now();
    const units = await deployCluster(world, { containerType: "lxc", etcd: "legacy" });
    await waitReady(units);
    console.log(`first hook to all ready: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const [c1, c2] = await Promise.all(units.map((u, i) => startLxcContainer(u.machine, `c${i + 1}`)));
    const [m1, m2] = world.machines;
    if (!c1 || !c2 || !m1 || !m2) throw new Error("2 machines expected");
    const flannel0 = async (machine: typeof m1) =>
      JSON.parse(await machine.run(["ip", "-j", "-4", "addr", "show", "dev", "flannel0"]))[0].addr_info[0]
        .local;
    const rows: [string, Awaited<ReturnType<typeof ping>>][] = [
      ["machine -> machine (underlay)", await ping(machineItself(m1, m1.address), m2.address, count)],
      ["machine -> machine (overlay)", await ping(machineItself(m1, m1.address), await flannel0(m2), count)],
      ["container -> container (overlay)", await ping(c1, c2.address, count)],
    ];
    for (const [what, r] of rows)
      console.log(`${what}: ${r.replies}/${r.sent} replies, avg rtt ${r.rttMs} ms`);
    const [underlay, , containers] = rows.map(([, r]) => r.rttMs ?? Number.NaN);
    console.log(`container/underlay rtt ratio: ${((containers ?? 0) / (underlay ?? 1)).toFixed(1)}x`);
  } finally {
    await world.teardown();
  }
}

const program = new Command("overlay-rtt")
  .option("--count <n>", "pings per pair", (v) => Number(v), 50)
  .action(async (options: { count: number }) => bench(options.count));
await program.parseAsync();
