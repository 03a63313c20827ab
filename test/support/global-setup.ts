import { join } from "node:path";
import { execa } from "execa";
import { bundleEmulator } from "../emulator/bundle";
import { EMULATOR_BUNDLE, REPO_ROOT } from "./paths";

/**
 * Builds and packs the charm once per run, so every test sees the bundles of the current source, and
 * bundles the Juju emulator so it can run inside booted machines that have only Node.js.
 */
export default async function setup() {
  await execa("npm", ["run", "--silent", "pack"], { cwd: REPO_ROOT, stdio: "inherit" });
  await bundleEmulator(join(REPO_ROOT, "test/emulator/cli.ts"), EMULATOR_BUNDLE);
}
