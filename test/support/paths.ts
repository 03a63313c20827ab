import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const CHARM_BUILD_DIR = join(REPO_ROOT, "build/flannel");
export const CHARM_ARCHIVE = join(REPO_ROOT, "build/flannel.charm");
/** The real flanneld that scripts/setup builds. */
export const FLANNELD_BINARY = "/opt/flannel-test/bin/flannel";
/** The Juju emulator (hook tools + hook runner) as one file for Node >= 18. */
export const EMULATOR_BUNDLE = join(REPO_ROOT, "build/harness/emulator.cjs");
/** The hook-tool client (Go, static), linked under every hook tool's name; scripts/build-jujuc.mjs builds it. */
export const JUJUC_CLIENT = join(REPO_ROOT, "build/harness/jujuc");
