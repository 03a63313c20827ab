import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { chmod, copyFile, lstat, mkdtemp, open, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { loadExeca } from "../bridges/programs";
import { extractTarMember, TarRefused } from "./tar-member";

/** Where the charm installs flanneld. */
export const FLANNELD_PATH = "/usr/local/bin/flanneld";

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const MIN_SIZE = 1024 * 1024;
const MAX_SIZE = 512 * 1024 * 1024;
const VERSION_TIMEOUT_MS = 10_000;
// Room for a README and scripts beside flanneld; past this the archive is a bomb, whatever it holds.
const MAX_EXPANDED = MAX_SIZE + 64 * 1024 * 1024;
const MEMBER_NAMES = ["flanneld", "flannel"];

/** The resource is not a usable flanneld; an installed binary is left untouched. */
export class InvalidFlanneldError extends Error {
  constructor(
    readonly resource: string,
    readonly reason: string,
    cause?: unknown,
  ) {
    super(`${resource}: ${reason}`, { cause });
    this.name = "InvalidFlanneldError";
  }
}

/** Validates a resource (ELF, or .tar.gz holding flanneld/flannel) and installs it atomically if it differs. */
export async function installFlanneld(
  resource: string,
  destination: string = FLANNELD_PATH,
): Promise<{ changed: boolean; version: string }> {
  // Stage beside the destination: same filesystem for an atomic rename, and not a noexec /tmp.
  const stage = await mkdtemp(join(dirname(destination), ".flanneld-stage-"));
  try {
    const candidate = await stageBinary(resource, stage);
    await checkElf(resource, candidate);
    // Juju stores resources without the executable bit.
    await chmod(candidate, 0o755);
    const version = await readFlanneldVersion(candidate, resource);
    if (await isSameFile(candidate, destination)) return { changed: false, version };
    await rename(candidate, destination);
    return { changed: true, version };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

/** Runs `flanneld --version` (it prints to stderr) and returns e.g. "v0.28.9" or "dev". */
export async function readFlanneldVersion(path: string, resource: string = path): Promise<string> {
  const execa = await loadExeca();
  const result = await execa(path, ["--version"], { reject: false, timeout: VERSION_TIMEOUT_MS, all: true });
  const version =
    String(result.all ?? "")
      .trim()
      .split("\n")
      .pop()
      ?.trim() ?? "";
  if (result.failed) {
    throw new InvalidFlanneldError(resource, `'--version' failed: ${result.shortMessage}`, result);
  }
  if (!/^(v?\d+\.\d+\.\d+[0-9A-Za-z.+-]*|dev)$/.test(version)) {
    throw new InvalidFlanneldError(
      resource,
      `'--version' printed ${JSON.stringify(version.slice(0, 80))}, not a version`,
    );
  }
  return version;
}

/** Removes the installed flanneld; returns whether it was there. */
export async function removeFlanneld(path: string = FLANNELD_PATH): Promise<boolean> {
  const existed = (await lstat(path).catch(() => undefined)) !== undefined;
  await rm(path, { force: true });
  return existed;
}

async function stageBinary(resource: string, stage: string): Promise<string> {
  const head = await readHead(resource);
  const target = join(stage, "flanneld");
  if (head.subarray(0, 4).equals(ELF_MAGIC)) {
    await copyFile(resource, target);
    return target;
  }
  if (head.subarray(0, 2).equals(GZIP_MAGIC)) return extractMember(resource, stage);
  throw new InvalidFlanneldError(resource, "is neither an ELF binary nor a .tar.gz archive");
}

async function readHead(resource: string): Promise<Buffer> {
  const info = await stat(resource).catch((error: unknown) => {
    throw new InvalidFlanneldError(resource, "cannot be read", error);
  });
  if (!info.isFile()) throw new InvalidFlanneldError(resource, "is not a regular file");
  checkSize(resource, info.size);
  const file = await open(resource, "r");
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(4), 0, 4, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

// Only the flanneld member is written, to a fixed name in the stage: member names never become paths.
async function extractMember(resource: string, stage: string): Promise<string> {
  const target = join(stage, "flanneld");
  const limits = { minSize: MIN_SIZE, maxSize: MAX_SIZE, maxExpanded: MAX_EXPANDED };
  const member = await extractTarMember(resource, MEMBER_NAMES, target, limits).catch((error: unknown) => {
    if (error instanceof TarRefused) throw new InvalidFlanneldError(resource, error.message, error);
    throw error;
  });
  if (!member) {
    throw new InvalidFlanneldError(resource, `the archive holds no file named ${MEMBER_NAMES.join(" or ")}`);
  }
  return target;
}

async function checkElf(resource: string, path: string) {
  const head = await readHead(path);
  if (!head.equals(ELF_MAGIC))
    throw new InvalidFlanneldError(resource, "the flanneld file is not an ELF binary");
}

function checkSize(resource: string, size: number) {
  if (size < MIN_SIZE || size > MAX_SIZE) {
    throw new InvalidFlanneldError(resource, `is ${size} bytes; a flanneld is 1 MiB to 512 MiB`);
  }
}

async function isSameFile(a: string, b: string): Promise<boolean> {
  const [infoA, infoB] = [await stat(a), await stat(b).catch(() => undefined)];
  if (!infoB || infoA.size !== infoB.size) return false;
  return (await sha256(a)) === (await sha256(b));
}

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
