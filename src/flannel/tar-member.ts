import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { basename } from "node:path";
import { createGunzip } from "node:zlib";

/** Bounds that keep a hostile archive from filling the disk or running for long. */
export interface TarLimits {
  /** Smallest and largest member size accepted, checked from its header before any byte is written. */
  readonly minSize: number;
  readonly maxSize: number;
  /** Most bytes gunzip may produce in all, members skipped included. */
  readonly maxExpanded: number;
}

/** Why an archive was refused; the message completes "<resource>: …". */
export class TarRefused extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = "TarRefused";
  }
}

interface Entry {
  name: string;
  type: string;
  size: number;
}

const BLOCK = 512;
const MAX_META = 64 * 1024;
const REGULAR = ["0", "\0", "7"];
const TYPE_NAMES: Record<string, string> = {
  "1": "hard link",
  "2": "symbolic link",
  "3": "character device",
  "4": "block device",
  "5": "directory",
  "6": "FIFO",
};

/**
 * Streams a .tar.gz and copies the first member whose base name is one of `wanted` to `target` (created
 * 0600, must not exist). Type and size come from the member's header and are checked before its data is
 * read, and gunzip output is counted, so at most `maxSize` bytes are written and `maxExpanded` read.
 * Returns the member's name, or undefined when the archive holds none.
 */
export async function extractTarMember(
  archive: string,
  wanted: readonly string[],
  target: string,
  limits: TarLimits,
): Promise<string | undefined> {
  const file = createReadStream(archive);
  const gunzip = createGunzip();
  file.on("error", (error) => gunzip.destroy(error));
  const reader = new BoundedReader(file.pipe(gunzip)[Symbol.asyncIterator](), limits.maxExpanded);
  try {
    return await findMember(reader, wanted, target, limits);
  } catch (error) {
    if (error instanceof TarRefused) throw error;
    throw new TarRefused(`is not a readable .tar.gz (${(error as Error).message})`, error);
  } finally {
    file.destroy();
    gunzip.destroy();
  }
}

async function findMember(
  reader: BoundedReader,
  wanted: readonly string[],
  target: string,
  limits: TarLimits,
) {
  let override: Partial<Entry> = {};
  for (;;) {
    const block = await reader.read(BLOCK);
    if (block.length === 0 || block.every((byte) => byte === 0)) return undefined;
    if (block.length < BLOCK) throw new TarRefused("is not a readable .tar.gz (truncated header)");
    const entry = { ...parseHeader(block), ...override };
    override = {};
    if (entry.type === "x" || entry.type === "L") {
      override = await readMeta(reader, entry);
      continue;
    }
    if (wanted.includes(basename(entry.name))) {
      checkEntry(entry, limits);
      await copyTo(reader, entry.size, target);
      return entry.name;
    }
    await reader.skip(padded(entry.size));
  }
}

// A pax header ("x") may replace the next member's path and size; a GNU "L" its long name.
async function readMeta(reader: BoundedReader, entry: Entry): Promise<Partial<Entry>> {
  if (entry.size > MAX_META) throw new TarRefused(`has a ${entry.size}-byte extended header`);
  const data = await reader.read(padded(entry.size));
  const text = data.subarray(0, entry.size).toString("utf8");
  if (entry.type === "L") return { name: text.replace(/\0.*$/s, "") };
  const meta: Partial<Entry> = {};
  for (const match of text.matchAll(/^\d+ (path|size)=(.*)$/gm)) {
    if (match[1] === "path") meta.name = match[2] as string;
    else meta.size = Number(match[2]);
  }
  return meta;
}

function checkEntry(entry: Entry, limits: TarLimits) {
  const name = shown(entry.name);
  if (!REGULAR.includes(entry.type)) {
    const kind = TYPE_NAMES[entry.type] ?? `member of type ${JSON.stringify(entry.type)}`;
    throw new TarRefused(`${name} in the archive is a ${kind}, not a regular file`);
  }
  if (!(entry.size >= limits.minSize && entry.size <= limits.maxSize)) {
    const range = `${limits.minSize / 2 ** 20} MiB to ${limits.maxSize / 2 ** 20} MiB`;
    throw new TarRefused(`${name} in the archive is ${entry.size} bytes; a flanneld is ${range}`);
  }
}

async function copyTo(reader: BoundedReader, size: number, target: string) {
  const out = await open(target, "wx", 0o600);
  try {
    for (let left = size; left > 0; ) {
      const chunk = await reader.read(Math.min(left, 1024 * 1024));
      if (chunk.length === 0) throw new TarRefused("is truncated: the flanneld member ends early");
      await out.write(chunk);
      left -= chunk.length;
    }
  } finally {
    await out.close();
  }
}

function parseHeader(block: Buffer): Entry {
  const stored = parseOctal(block.subarray(148, 156));
  const sum = block.reduce((total, byte, i) => total + (i >= 148 && i < 156 ? 0x20 : byte), 0);
  if (stored !== sum) throw new TarRefused("is not a readable .tar.gz (not a tar archive)");
  const name = cString(block.subarray(0, 100));
  const prefix = block.toString("latin1", 257, 262) === "ustar" ? cString(block.subarray(345, 500)) : "";
  const typeByte = block[156] ?? 0;
  const size = parseSize(block.subarray(124, 136));
  if (Number.isNaN(size)) throw new TarRefused("is not a readable .tar.gz (a member has no size)");
  return {
    name: prefix ? `${prefix}/${name}` : name,
    type: typeByte === 0 ? "0" : String.fromCharCode(typeByte),
    size,
  };
}

// GNU tar writes sizes of 8 GiB and more in base-256, flagged by the high bit.
function parseSize(field: Buffer): number {
  if (((field[0] ?? 0) & 0x80) === 0) return parseOctal(field);
  return field.subarray(1).reduce((total, byte) => total * 256 + byte, (field[0] ?? 0) & 0x7f);
}

function parseOctal(field: Buffer): number {
  const text = field
    .toString("latin1")
    .replace(/[\0 ]+$/, "")
    .trim();
  return /^[0-7]+$/.test(text) ? Number.parseInt(text, 8) : Number.NaN;
}

function cString(field: Buffer): string {
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString("utf8");
}

function padded(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

function shown(name: string): string {
  return /^[\w./+-]{1,100}$/.test(name) ? name : JSON.stringify(name.slice(0, 60));
}

/** Reads exact byte counts from gunzip's output and refuses once more than `max` bytes came out. */
class BoundedReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private total = 0;

  constructor(
    private readonly source: AsyncIterator<Buffer>,
    private readonly max: number,
  ) {}

  /** Up to n bytes (fewer only at the end of the stream). */
  async read(n: number): Promise<Buffer> {
    while (this.buffered < n) {
      const next = await this.source.next();
      if (next.done) break;
      this.total += next.value.length;
      if (this.total > this.max) {
        throw new TarRefused(`the archive expands to more than ${this.max} bytes before a flanneld`);
      }
      this.chunks.push(next.value);
      this.buffered += next.value.length;
    }
    const all = Buffer.concat(this.chunks, this.buffered);
    const out = all.subarray(0, n);
    const rest = all.subarray(out.length);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }

  async skip(n: number): Promise<void> {
    for (let left = n; left > 0; ) {
      const chunk = await this.read(Math.min(left, 1024 * 1024));
      if (chunk.length === 0) return;
      left -= chunk.length;
    }
  }
}
