// Applies the start-up snapshot's plan (runtime/startup-snapshot.ts): builds the snapshot for the Node.js
// running this hook, proves it by running ./health's bundle from it, and only then puts it where the
// scripts find it. A Node.js that cannot build or run one is marked and left to start as it always did.
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { loadExeca } from "../bridges/programs";
import { renameDurably, writeFileAtomic } from "../fs/atomic";
import { jujuContext } from "../juju/context";
import { jujuLog } from "../juju/status";
import {
  LIBRARIES_FILE,
  observeStartupSnapshot,
  planStartupSnapshot,
  renderLibraries,
  STARTUP_SNAPSHOT_DIR,
  snapshotPaths,
} from "../runtime/startup-snapshot";

// Building takes about a second; a minute means something is wrong with this Node.js.
const BUILD_TIMEOUT_MS = 60_000;

/** Builds the snapshot if the plan asks for one; returns whether one was made. */
export async function ensureStartupSnapshot(dir = STARTUP_SNAPSHOT_DIR): Promise<boolean> {
  const facts = observeStartupSnapshot(process.execPath, dir);
  const identity = facts.identity;
  if (identity === undefined || planStartupSnapshot(facts).length === 0) return false;
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const paths = snapshotPaths(identity, dir);
  const temp = join(dir, `.${identity}.blob.tmp`);
  const problem = await buildAndProve(temp, jujuContext().charmDir);
  if (problem !== undefined) {
    rmSync(temp, { force: true });
    await writeFileAtomic(paths.unusable, `${problem}\n`);
    await jujuLog("WARNING", `Node.js ${process.version} starts without a start-up snapshot: ${problem}`);
    return false;
  }
  await writeFileAtomic(join(dir, LIBRARIES_FILE), renderLibraries(facts.libraries));
  // Synced before it appears: a torn snapshot would crash every start of Node.js from it.
  await renameDurably(temp, paths.blob);
  removeOthers(dir, identity);
  await jujuLog("INFO", `built the start-up snapshot of Node.js ${process.version}`);
  return true;
}

// What went wrong, or undefined once the snapshot ran ./health's bundle to the same answer as a plain start.
async function buildAndProve(temp: string, charmDir: string): Promise<string | undefined> {
  const entry = join(charmDir, "lib/node-startup.cjs");
  const built = await runNode(["--snapshot-blob", temp, "--build-snapshot", entry]);
  if (built.failed) return `building it failed: ${lastLine(built)}`;
  const health = [join(charmDir, "lib/health.cjs"), "--explain"];
  const [plain, fromSnapshot] = await Promise.all([
    runNode(health),
    runNode(["--snapshot-blob", temp, ...health]),
  ]);
  if (fromSnapshot.failed || fromSnapshot.stderr !== "" || fromSnapshot.stdout !== plain.stdout)
    return `./health's bundle answered differently from it: ${lastLine(fromSnapshot)}`;
  return undefined;
}

// Run from / with PATH alone: the snapshot must hold nothing of this hook's environment.
async function runNode(args: string[]) {
  const execa = await loadExeca();
  const env = { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin" };
  const result = await execa(process.execPath, args, {
    reject: false,
    stdin: "ignore",
    cwd: "/",
    env,
    extendEnv: false,
    timeout: BUILD_TIMEOUT_MS,
  });
  return { failed: result.failed, stdout: String(result.stdout), stderr: String(result.stderr) };
}

function lastLine(result: { stdout: string; stderr: string }): string {
  const text = result.stderr.trim() || result.stdout.trim() || "no output";
  return text.split("\n").pop()?.slice(0, 200) ?? "";
}

// Snapshots of a Node.js replaced since (a package upgrade) are never started again.
function removeOthers(dir: string, identity: string) {
  for (const name of readdirSync(dir)) {
    if (name !== LIBRARIES_FILE && !name.startsWith(`${identity}.`)) rmSync(join(dir, name), { force: true });
  }
}

/** Removes every snapshot (the remove hook): the next charm on this machine builds its own. */
export async function removeStartupSnapshots(dir = STARTUP_SNAPSHOT_DIR): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
}
