import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, rm, symlink, truncate, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { withImageLock } from "./image-lock";
import { findDebianMirror } from "./mirror";
import { detachMountsUnder } from "./mounts";
import { runHost } from "./run";

export const CACHE_DIR = process.env.FCW_CACHE_DIR ?? "/var/cache/flannel-charm-world";
const SUITE = "bookworm";

/** What a machine needs: systemd as PID 1, the charm's runtime (node), and what it configures. */
export const IMAGE_PACKAGES = [
  "busybox", // ping, wget, the lxc busybox template
  "ca-certificates",
  "curl", // poking etcd and services by hand (see `npm run world -- boot`)
  "dbus",
  "dnsmasq-base", // lxc-net's DHCP
  "docker.io",
  "etcd-client", // etcdctl: a ready-made etcd check from inside a machine
  "iperf3", // benchmarks across the overlay
  "iproute2",
  "iptables",
  "iputils-ping", // ping for people; the tests keep using busybox ping
  "lxc",
  "nodejs", // runs the charm's bundles
  "procps",
  "prometheus-node-exporter", // the charm's metrics textfile is served by it (installed by the charm when absent)
  "systemd",
  "systemd-sysv",
] as const;

// Bump when finishImage changes, so cached images built the old way are rebuilt.
const RECIPE_VERSION = 1;

export type ProgressFn = (line: string) => void;

/** Path of a bookworm rootfs with IMAGE_PACKAGES, built with debootstrap on first use and cached. */
export async function ensureImage(progress: ProgressFn = printProgress): Promise<string> {
  const dir = join(CACHE_DIR, "images", imageKey());
  const rootfs = join(dir, "rootfs");
  if (existsSync(join(dir, "complete"))) return rootfs;
  await mkdir(dirname(dir), { recursive: true });
  await withImageLock(dir, () => buildImage(dir, progress));
  return rootfs;
}

/** Changes whenever the package list or recipe does. */
export function imageKey(): string {
  const recipe = JSON.stringify({ suite: SUITE, packages: [...IMAGE_PACKAGES].sort(), RECIPE_VERSION });
  return createHash("sha256").update(recipe).digest("hex").slice(0, 12);
}

async function buildImage(dir: string, progress: ProgressFn): Promise<void> {
  // Build beside the final place and rename: a crashed build never looks complete (the lock makes it ours).
  const staging = `${dir}.building`;
  await detachMountsUnder(staging);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const started = Date.now();
  await debootstrap(join(staging, "rootfs"), progress, started);
  await finishImage(join(staging, "rootfs"));
  await writeFile(join(staging, "complete"), `${new Date().toISOString()} ${Date.now() - started} ms\n`);
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  progress(`world image ready in ${((Date.now() - started) / 1000).toFixed(0)} s: ${dir}\n`);
}

async function debootstrap(rootfs: string, progress: ProgressFn, started: number): Promise<void> {
  const mirror = await findDebianMirror(SUITE);
  const args = ["--variant=minbase", `--include=${IMAGE_PACKAGES.join(",")}`, SUITE, rootfs, mirror];
  const child = execa("debootstrap", args, { reject: false, all: true, buffer: { all: true } });
  child.all?.on("data", (chunk: Buffer) => {
    const last = chunk.toString().trim().split("\n").at(-1) ?? "";
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    progress(`\r\x1b[Kbuilding world image (${seconds} s): ${last.slice(0, 80)}`);
  });
  const result = await child;
  progress("\n");
  if (result.exitCode !== 0) {
    const tail = String(result.all ?? "")
      .split("\n")
      .slice(-20)
      .join("\n");
    throw new Error(
      `debootstrap failed (exit ${result.exitCode}); see ${rootfs}/debootstrap/debootstrap.log\n${tail}`,
    );
  }
}

/** Makes the tree a template: each machine gets its own identity at first boot. */
export async function finishImage(rootfs: string): Promise<void> {
  // Empty machine-id: systemd takes the one nspawn passes (--uuid) instead of sharing one.
  await truncate(join(rootfs, "etc/machine-id"), 0);
  // systemd copies dbus's id into an empty /etc/machine-id first, so dbus must point at ours instead.
  await rm(join(rootfs, "var/lib/dbus/machine-id"), { force: true });
  await symlink("/etc/machine-id", join(rootfs, "var/lib/dbus/machine-id"));
  // debootstrap copies the host's hostname; each machine writes its own.
  await rm(join(rootfs, "etc/hostname"), { force: true });
  await runHost(["find", join(rootfs, "var/cache/apt/archives"), "-name", "*.deb", "-delete"]);
}

let lastPlainLine = 0;

function printProgress(line: string): void {
  if (process.stderr.isTTY) return void process.stderr.write(line);
  // No terminal (CI logs): one plain line every 10 s instead of a rewritten one.
  if (line.endsWith("\n") || Date.now() - lastPlainLine > 10_000) {
    lastPlainLine = Date.now();
    process.stderr.write(`${line.replace("\r\x1b[K", "").trimEnd()}\n`);
  }
}
