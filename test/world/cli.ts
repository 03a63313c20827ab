// The world from a terminal. Bundle, then run (the library is plain TypeScript; Node 20 cannot run .ts):
//   npx esbuild test/world/cli.ts --bundle --platform=node --format=esm --packages=external \
//     --outfile=build/world-cli.mjs && node build/world-cli.mjs boot 3
import { Command, InvalidArgumentError } from "commander";
import { describeWorld, placeEtcdClientFiles } from "./describe";
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
  .argument("[machines]", "how many machines, a whole number from 1 to 20", parseMachines, 3)
  .option("--tls", "etcd with TLS client certificates")
  .option("--no-docker", "mask Docker in the machines (faster boot)")
  .action(async (machines: number, options: { tls?: boolean; docker: boolean }) => {
    const etcd = { tls: options.tls === true };
    const world = await World.boot({ machines, etcd, docker: options.docker });
    await placeEtcdClientFiles(world);
    console.log(describeWorld(world).join("\n"));
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

function parseMachines(text: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (n >= 1 && n <= 20) return n;
  throw new InvalidArgumentError("how many machines: a whole number from 1 to 20.");
}

await program.parseAsync();
