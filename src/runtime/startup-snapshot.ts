// A start-up snapshot of this machine's Node.js, which the dispatch and health scripts start Node.js from.
// Debian's and Ubuntu's Node.js are built without Node.js's own snapshot and code cache, so every start
// runs Node.js's bootstrap from source: about half of each hook's and ./health's time (measured in a
// booted machine: `node -e 0` 105 ms, ./health's report 150 ms, and 95 ms from this snapshot). The
// snapshot holds that bootstrap only, no code of the charm's, so it depends on Node.js alone: the binary
// and the library that carries V8 where it is a shared one (Debian's libnode). It is named after their
// inodes, sizes and modification times (what the scripts compute with `stat -L -c %i-%s-%Y`), so a
// Node.js replaced by a package upgrade is never started from another's snapshot.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type Action, act } from "../machine/actions";

/** Where the snapshots live; the scripts look here (files/node-startup.sh). */
export const STARTUP_SNAPSHOT_DIR = "/var/lib/flannel-charm/node-startup";
/** The file naming, on one line, the libraries besides the binary that a snapshot's name stands for. */
export const LIBRARIES_FILE = "libraries";

/** What the plan needs: which Node.js runs, and whether a snapshot for it is there or known not to work. */
export interface StartupSnapshotFacts {
  /** The identities of the binary and its V8 library, joined by "_"; undefined when one cannot be read. */
  readonly identity: string | undefined;
  /** The shared libraries that carry V8 (none for a static build). */
  readonly libraries: readonly string[];
  readonly built: boolean;
  /** This Node.js failed to build or to run a snapshot once: it is not tried again. */
  readonly unusable: boolean;
}

/** The snapshot file for a Node.js, and the file that marks one for which snapshots do not work. */
export function snapshotPaths(identity: string, dir = STARTUP_SNAPSHOT_DIR) {
  return { blob: join(dir, `${identity}.blob`), unusable: join(dir, `${identity}.unusable`) };
}

/** A file's identity as the scripts compute it: inode, size, whole seconds of its modification time. */
export function fileIdentity(info: { ino: number; size: number; mtimeMs: number }): string {
  return `${info.ino}-${info.size}-${Math.floor(info.mtimeMs / 1000)}`;
}

/** The libraries in a process's /proc/PID/maps that carry Node.js itself (libnode.so.*), each once. */
export function nodeLibrariesOf(maps: string): string[] {
  const paths = maps.split("\n").map((line) => line.slice(line.indexOf("/")));
  return [...new Set(paths.filter((path) => /\/libnode\.so[.\d]*$/.test(path)))];
}

/** Looks at the Node.js running this hook and at the snapshots kept for it (a few stats). */
export function observeStartupSnapshot(
  execPath = process.execPath,
  dir = STARTUP_SNAPSHOT_DIR,
  maps = readMaps(),
): StartupSnapshotFacts {
  const libraries = nodeLibrariesOf(maps);
  let identity: string;
  try {
    identity = [execPath, ...libraries].map((path) => fileIdentity(statSync(path))).join("_");
  } catch {
    return { identity: undefined, libraries, built: false, unusable: false };
  }
  const paths = snapshotPaths(identity, dir);
  // The scripts find the blob only through the libraries file: both must be there.
  const listed = readText(join(dir, LIBRARIES_FILE)) === renderLibraries(libraries);
  return {
    identity,
    libraries,
    built: listed && existsSync(paths.blob),
    unusable: existsSync(paths.unusable),
  };
}

/** The libraries file's content: the paths on one line, for the scripts' `read`. */
export function renderLibraries(libraries: readonly string[]): string {
  return `${libraries.join(" ")}\n`;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

function readMaps(): string {
  return readText("/proc/self/maps") ?? "";
}

/** Build a snapshot when this Node.js has none and is not known to be unable to use one. */
export function planStartupSnapshot(facts: StartupSnapshotFacts): Action[] {
  if (facts.identity === undefined || facts.built || facts.unusable) return [];
  return [act("node-startup", { kind: "build-startup-snapshot" }, "no start-up snapshot for this Node.js")];
}
