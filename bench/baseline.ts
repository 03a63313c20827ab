// An earlier build of the charm, packed from a git revision, so that the bench measures it beside this one
// in the same run (same world, same load): "no worse than before" is then a ratio, not a memory.
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";

// scripts/bench runs the bundled bench from the repository's root (the bundle itself lives in build/).
const REPO = process.cwd();
/** The main branch before issue 19 (one picture of the machine): the charm of the previous figures. */
export const DEFAULT_BASELINE = "b94b19b";

/** Packs the charm of `ref` into build/baseline/<ref>/build/flannel and returns that directory. */
export async function packBaseline(ref: string): Promise<string> {
  const dir = join(REPO, "build/baseline", ref.replace(/[^A-Za-z0-9._-]/g, "_"));
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const tarball = `${dir}.tar`;
  await execa("git", ["-C", REPO, "archive", "--format=tar", "-o", tarball, ref], { timeout: 60_000 });
  await execa("tar", ["-x", "-f", tarball, "-C", dir], { timeout: 60_000 });
  await rm(tarball);
  // The earlier build's own lock file may name other versions: install what it asks for.
  await execa("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, timeout: 600_000 });
  await execa("node", ["scripts/build.mjs"], { cwd: dir, timeout: 300_000 });
  await execa("bash", ["scripts/pack"], { cwd: dir, timeout: 300_000 });
  return join(dir, "build/flannel");
}
