import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FLANNELD_PATH,
  InvalidFlanneldError,
  installFlanneld,
  readFlanneldVersion,
  removeFlanneld,
} from "../../src/flannel/binary";

const REAL_FLANNEL = "/opt/flannel-test/bin/flannel";
const VERSION = /^(v0\.28\.9|dev)$/;

let dir: string;
let resources: string;
beforeAll(async () => {
  const info = await stat(REAL_FLANNEL).catch(() => undefined);
  if (!info?.isFile()) throw new Error(`the real flanneld is missing at ${REAL_FLANNEL}: run scripts/setup`);
  dir = await mkdtemp(join(tmpdir(), "flanneld-binary-"));
  resources = join(dir, "resources");
  await mkdir(join(resources, "tree", "flannel-v0.28.9"), { recursive: true });
  await copyFile(REAL_FLANNEL, join(resources, "tree", "flannel-v0.28.9", "flanneld"));
  await copyFile(REAL_FLANNEL, join(resources, "tree", "flannel"));
  await writeFile(join(resources, "tree", "README.md"), "readme\n");
  const tar = (name: string, members: string[]) =>
    execa("tar", [
      "--use-compress-program=gzip -1",
      "-cf",
      join(resources, name),
      "-C",
      join(resources, "tree"),
      ...members,
    ]);
  await tar("nested.tar.gz", ["README.md", "flannel-v0.28.9"]);
  await tar("plain.tar.gz", ["flannel"]);
  await tar("empty.tar.gz", ["README.md"]);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function newDestination() {
  const bin = await mkdtemp(join(dir, "bin-"));
  return join(bin, "flanneld");
}

async function digest(path: string) {
  return createHash("sha256")
    .update(await readFile(path))
    .digest("hex");
}

async function leftovers(destination: string) {
  return (await readdir(join(destination, ".."))).filter((name) => name.startsWith(".flanneld-stage-"));
}

describe("installFlanneld", () => {
  it("defaults to /usr/local/bin/flanneld", () => {
    expect(FLANNELD_PATH).toBe("/usr/local/bin/flanneld");
  });

  it("installs an ELF resource as an executable, then reports no change", async () => {
    const destination = await newDestination();
    const first = await installFlanneld(REAL_FLANNEL, destination);
    expect(first.changed).toBe(true);
    expect(first.version).toMatch(VERSION);
    expect((await stat(destination)).mode & 0o777).toBe(0o755);
    expect(await digest(destination)).toBe(await digest(REAL_FLANNEL));
    expect(await installFlanneld(REAL_FLANNEL, destination)).toEqual({
      changed: false,
      version: first.version,
    });
    expect(await leftovers(destination)).toEqual([]);
  });

  it.each(["nested.tar.gz", "plain.tar.gz"])("installs flanneld from %s", async (name) => {
    const destination = await newDestination();
    const result = await installFlanneld(join(resources, name), destination);
    expect(result.changed).toBe(true);
    expect(result.version).toMatch(VERSION);
    expect(await digest(destination)).toBe(await digest(REAL_FLANNEL));
    expect((await installFlanneld(join(resources, name), destination)).changed).toBe(false);
    expect(await leftovers(destination)).toEqual([]);
  });

  it("installs a resource stored without the executable bit", async () => {
    const resource = join(resources, "no-exec-bit");
    await copyFile(REAL_FLANNEL, resource);
    await chmod(resource, 0o644);
    const destination = await newDestination();
    expect((await installFlanneld(resource, destination)).changed).toBe(true);
    expect((await stat(destination)).mode & 0o777).toBe(0o755);
  });

  it("reads the version of an installed binary", async () => {
    expect(await readFlanneldVersion(REAL_FLANNEL)).toMatch(VERSION);
  });
});

describe("installFlanneld with a bad resource keeps the installed binary", () => {
  let destination: string;
  let good: string;
  beforeAll(async () => {
    destination = await newDestination();
    await installFlanneld(REAL_FLANNEL, destination);
    good = await digest(destination);
  });

  async function rejects(resource: string, reason: RegExp) {
    const error = await installFlanneld(resource, destination).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidFlanneldError);
    expect((error as InvalidFlanneldError).reason).toMatch(reason);
    expect((error as Error).message.startsWith(`${resource}: `)).toBe(true);
    expect(await digest(destination)).toBe(good);
    expect(await leftovers(destination)).toEqual([]);
  }

  it("random bytes", async () => {
    const path = join(resources, "random.bin");
    await writeFile(path, randomBytes(2 * 1024 * 1024));
    await rejects(path, /neither an ELF binary nor a \.tar\.gz/);
  });

  it("a truncated ELF (magic fine, does not run)", async () => {
    const path = join(resources, "truncated");
    await writeFile(path, (await readFile(REAL_FLANNEL)).subarray(0, 3 * 1024 * 1024));
    await rejects(path, /'--version' failed/);
  });

  it("an ELF that is not flanneld (prints no version)", async () => {
    // GNU env runs fine but its --version is not flanneld's; padding keeps it an ELF above the size floor.
    const path = join(resources, "not-flanneld");
    await writeFile(path, Buffer.concat([await readFile("/usr/bin/env"), Buffer.alloc(2 * 1024 * 1024)]));
    await rejects(path, /'--version' printed ".*", not a version/);
  });

  it("a tiny file", async () => {
    const path = join(resources, "tiny");
    await writeFile(path, "\x7fELF");
    await rejects(path, /is 4 bytes; a flanneld is 1 MiB to 512 MiB/);
  });

  it("an archive without flanneld", async () => {
    // Pad with an incompressible member so the archive passes the size check.
    await writeFile(join(resources, "tree", "README.md"), randomBytes(2 * 1024 * 1024));
    await execa("tar", [
      "-czf",
      join(resources, "no-flanneld.tar.gz"),
      "-C",
      join(resources, "tree"),
      "README.md",
    ]);
    await rejects(join(resources, "no-flanneld.tar.gz"), /holds no file named flanneld or flannel/);
  });

  it("a corrupt gzip", async () => {
    const path = join(resources, "corrupt.tar.gz");
    await writeFile(path, Buffer.concat([Buffer.from([0x1f, 0x8b]), randomBytes(2 * 1024 * 1024)]));
    await rejects(path, /is not a readable \.tar\.gz/);
  });

  it("a missing resource", async () => {
    await rejects(join(resources, "missing"), /cannot be read/);
  });
});

/** One member of a hand-made tar: a declared size, and bytes that may be fewer (a truncated archive). */
interface Member {
  name: string;
  type?: string;
  size: number;
  data?: () => AsyncIterable<Buffer>;
}

// A ustar header written by hand, so a test can declare any size or type without making the file.
function tarHeader(member: Member): Buffer {
  const header = Buffer.alloc(512);
  const octal = (value: number, width: number) => `${value.toString(8).padStart(width - 1, "0")}\0`;
  header.write(member.name, 0, 100, "utf8");
  header.write(octal(0o755, 8), 100);
  header.write(octal(0, 8), 108);
  header.write(octal(0, 8), 116);
  header.write(octal(member.size, 12), 124);
  header.write(octal(0, 12), 136);
  header.write("        ", 148);
  header.write(member.type ?? "0", 156);
  header.write("ustar\0" + "00", 257, "latin1");
  const sum = header.reduce((total, byte) => total + byte, 0);
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return header;
}

async function* zeros(size: number, head = Buffer.alloc(0)) {
  yield head;
  const chunk = Buffer.alloc(1024 * 1024);
  for (let left = size - head.length; left > 0; left -= chunk.length) {
    yield left >= chunk.length ? chunk : chunk.subarray(0, left);
  }
}

async function* tarStream(members: Member[], end = true) {
  for (const member of members) {
    yield tarHeader(member);
    let written = 0;
    for await (const chunk of member.data?.() ?? []) {
      written += chunk.length;
      yield chunk;
    }
    if (written === member.size) yield Buffer.alloc((512 - (written % 512)) % 512);
  }
  if (end) yield Buffer.alloc(1024);
}

async function writeTarGz(name: string, members: Member[], end = true) {
  const path = join(resources, name);
  await pipeline(Readable.from(tarStream(members, end)), createGzip({ level: 1 }), createWriteStream(path));
  return path;
}

describe("defect 3: decompression bombs are refused before anything is written", () => {
  const MiB = 1024 * 1024;
  let destination: string;
  beforeAll(async () => {
    destination = await newDestination();
  });

  async function refused(resource: string, reason: RegExp) {
    const error = await installFlanneld(resource, destination).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidFlanneldError);
    expect((error as InvalidFlanneldError).reason).toMatch(reason);
    expect((error as Error).message.length).toBeLessThan(300);
    expect(await stat(destination).catch(() => undefined)).toBeUndefined();
    expect(await leftovers(destination)).toEqual([]);
  }

  it("defect 3: a 2.7 MB .tar.gz whose flanneld expands to 600 MiB is refused from its header", async () => {
    const elf = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
    const size = 600 * MiB;
    const bomb = await writeTarGz("bomb.tar.gz", [{ name: "flanneld", size, data: () => zeros(size, elf) }]);
    expect((await stat(bomb)).size).toBeLessThan(4 * MiB);
    await refused(bomb, /^flanneld in the archive is 629145600 bytes; a flanneld is 1 MiB to 512 MiB$/);
  });

  it("defect 3: a flanneld declared as 4 GiB is refused without reading its data", async () => {
    const size = 4 * 1024 * MiB;
    const bomb = await writeTarGz(
      "declared-4g.tar.gz",
      [
        {
          name: "flannel-v0.28.9/flanneld",
          size,
          data: async function* () {
            yield randomBytes(2 * MiB);
          },
        },
      ],
      false,
    );
    await refused(
      bomb,
      /^flannel-v0\.28\.9\/flanneld in the archive is 4294967296 bytes; a flanneld is 1 MiB/,
    );
  });

  it("defect 3: an archive that expands past the bound before flanneld is refused", async () => {
    const flanneld = await readFile(REAL_FLANNEL);
    const filler = 600 * MiB;
    const bomb = await writeTarGz("filler-first.tar.gz", [
      { name: "README.md", size: filler, data: () => zeros(filler) },
      {
        name: "flanneld",
        size: flanneld.length,
        data: async function* () {
          yield flanneld;
        },
      },
    ]);
    await refused(bomb, /^the archive expands to more than \d+ bytes before a flanneld$/);
  });

  it("defect 3: a flanneld that is a device node is refused by its type, never created", async () => {
    const device = await writeTarGz("device.tar.gz", [
      {
        name: "padding",
        size: 2 * MiB,
        data: async function* () {
          yield randomBytes(2 * MiB);
        },
      },
      { name: "flanneld", type: "3", size: 0 },
    ]);
    await refused(device, /^flanneld in the archive is a character device, not a regular file$/);
  });
});

describe("removeFlanneld", () => {
  it("removes the binary once", async () => {
    const destination = await newDestination();
    await installFlanneld(REAL_FLANNEL, destination);
    expect(await removeFlanneld(destination)).toBe(true);
    expect(await removeFlanneld(destination)).toBe(false);
  });
});
