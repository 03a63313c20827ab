import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extractTarMember, TarRefused } from "../../src/flannel/tar-member";

// The streaming reader against archives GNU tar writes in each of its formats, with small members.

const LIMITS = { minSize: 1, maxSize: 64 * 1024, maxExpanded: 1024 * 1024 };
const LONG_DIR = `${"d".repeat(120)}/flannel-v0.28.9`;

let dir: string;
let content: Buffer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tar-member-"));
  content = randomBytes(10_000);
  await mkdir(join(dir, "tree", LONG_DIR), { recursive: true });
  await writeFile(join(dir, "tree", "README.md"), randomBytes(3000));
  await writeFile(join(dir, "tree", LONG_DIR, "flanneld"), content);
  await symlink("/etc/passwd", join(dir, "tree", "flannel"));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function archive(name: string, format: string, members: string[]) {
  const path = join(dir, name);
  await execa("tar", [`--format=${format}`, "-czf", path, "-C", join(dir, "tree"), ...members]);
  return path;
}

describe("extractTarMember", () => {
  // gnu: a long name in an "L" entry; pax: in an "x" header; ustar: split into prefix and name.
  it.each(["gnu", "pax", "ustar"])("finds a member behind a long path in %s format", async (format) => {
    const path = await archive(`long-${format}.tar.gz`, format, ["README.md", LONG_DIR]);
    const target = join(dir, `out-${format}`);
    expect(await extractTarMember(path, ["flanneld"], target, LIMITS)).toBe(`${LONG_DIR}/flanneld`);
    expect((await readFile(target)).equals(content)).toBe(true);
  });

  it("says undefined when no member has a wanted name", async () => {
    const path = await archive("readme.tar.gz", "gnu", ["README.md"]);
    expect(await extractTarMember(path, ["flanneld"], join(dir, "none"), LIMITS)).toBeUndefined();
  });

  it("refuses a wanted name that is a symbolic link, writing nothing", async () => {
    const path = await archive("link.tar.gz", "gnu", ["flannel"]);
    const target = join(dir, "link-out");
    const error = await extractTarMember(path, ["flannel"], target, LIMITS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TarRefused);
    expect((error as Error).message).toBe("flannel in the archive is a symbolic link, not a regular file");
    await expect(readFile(target)).rejects.toThrow(/ENOENT/);
  });

  it("refuses gzip text that is not a tar archive", async () => {
    const path = join(dir, "not-tar.gz");
    await execa("sh", ["-c", `head -c 4096 /dev/urandom | gzip > ${path}`]);
    await expect(extractTarMember(path, ["flanneld"], join(dir, "x"), LIMITS)).rejects.toThrow(
      /not a readable \.tar\.gz \(not a tar archive\)/,
    );
  });
});
