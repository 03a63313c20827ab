// The world from a terminal. Bundle, then run (the library is plain TypeScript; Node 20 cannot run .ts):
//   npx esbuild test/world/cli.ts --bundle --platform=node --format=esm --packages=external \
//     --outfile=build/world-cli.mjs && node build/world-cli.mjs boot 3
import { Command } from "commander";
import { ensureImage, imageKey } from "./image";
import { cleanLeftovers } from "./leftovers";
import { World } from "./world";

const program = new Command("world").description("booted test machines on a private underlay, with etcd");

program
  .command("image")
  .description("build the base image if its package list changed, print its path")
  .action(async () => {
    const started = Date.now();
    const rootfs = await ensureImage();
    console.log(`${rootfs} (key ${imageKey()}, ${Date.now() - started} ms)`);
  });

program
  .command("boot")
  .description("boot a world and keep it until Ctrl-C")
  .argument("[machines]", "how many machines", "3")
  .option("--tls", "etcd with TLS client certificates")
  .option("--no-docker", "mask Docker in the machines (faster boot)")
  .action(async (machines: string, options: { tls?: boolean; docker: boolean }) => {
    const etcd = { tls: options.tls === true };
    const world = await World.boot({ machines: Number(machines), etcd, docker: options.docker });
    printWorld(world);
    console.log("Ctrl-C tears it down.");
    await new Promise(() => undefined);
  });

program
  .command("clean")
  .description("remove what crashed runs left (namespaces, cgroups, processes, disks)")
  .action(async () => {
    const removed = await cleanLeftovers();
    console.log(removed.length ? `removed worlds: ${removed.join(" ")}` : "nothing left over");
  });

function printWorld(world: World): void {
  console.log(`world ${world.id}: image ${world.timings.imageMs} ms, boot ${world.timings.bootMs} ms`);
  for (const m of world.machines) {
    console.log(`  ${m.name} ${m.address} leader PID ${m.leaderPid} booted in ${m.bootTimesMs[0]} ms`);
  }
  console.log(`  etcd ${world.etcd.endpoint}`);
  console.log(`  enter a machine: nsenter -t <leader PID> -a bash`);
}

await program.parseAsync();
