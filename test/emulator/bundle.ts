import { build } from "esbuild";

/** Bundles the emulator (cli.ts: the agent and the one-shot operator CLI) into one Node 18 CommonJS file. */
export async function bundleEmulator(entry: string, outfile: string): Promise<string> {
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    target: "node18",
    format: "cjs",
    outfile,
    logLevel: "error",
  });
  return outfile;
}
