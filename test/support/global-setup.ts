import { join } from "node:path";
import { execa } from "execa";
import { bundleEmulator } from "../emulator/bundle";
import { EMULATOR_BUNDLE, JUJUC_CLIENT, REPO_ROOT } from "./paths";

/**
 * Builds and packs the charm once per run, so every test sees the bundles of the current source, and
 * bundles the Juju emulator so it can run inside booted machines that have only Node.js, and builds its
 * hook-tool client (jujuc, Go; rebuilt only when its source changed).
 */
export default async function setup() {
  await execa("npm", ["run", "--silent", "pack"], { cwd: REPO_ROOT, stdio: "inherit" });
  await bundleEmulator(join(REPO_ROOT, "test/emulator/cli.ts"), EMULATOR_BUNDLE);
  await execa("node", ["scripts/build-jujuc.mjs", JUJUC_CLIENT], { cwd: REPO_ROOT, stdio: "inherit" });
}
