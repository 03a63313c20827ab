// BLAKE2b (RFC 7693) with any digest size: the cos_agent library names scrape jobs with a 4-byte BLAKE2b
// of the job, which node:crypto cannot make (its blake2b512 has a fixed size, and the size is part of the
// parameter block, so a truncated 64-byte digest differs). Slow BigInt arithmetic: it hashes a few
// hundred bytes once per hook that writes the relation.

const MASK = (1n << 64n) - 1n;
const IV = [
  0x6a09e667f3bcc908n,
  0xbb67ae8584caa73bn,
  0x3c6ef372fe94f82bn,
  0xa54ff53a5f1d36f1n,
  0x510e527fade682d1n,
  0x9b05688c2b3e6c1fn,
  0x1f83d9abfb41bd6bn,
  0x5be0cd19137e2179n,
];
const SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];

/** BLAKE2b of `data` with an `outlen`-byte digest (1 to 64) and no key, as hex. */
export function blake2bHex(data: Uint8Array, outlen: number): string {
  const h = [...IV];
  h[0] = (h[0] as bigint) ^ (0x01010000n | BigInt(outlen));
  const blocks = Math.max(1, Math.ceil(data.length / 128));
  for (let i = 0; i < blocks; i++) {
    const block = new Uint8Array(128);
    block.set(data.subarray(i * 128, (i + 1) * 128));
    const last = i === blocks - 1;
    compress(h, block, BigInt(last ? data.length : (i + 1) * 128), last);
  }
  const out = new Uint8Array(64);
  h.forEach((word, i) => {
    for (let b = 0; b < 8; b++) out[i * 8 + b] = Number((word >> BigInt(8 * b)) & 0xffn);
  });
  return Buffer.from(out.subarray(0, outlen)).toString("hex");
}

function compress(h: bigint[], block: Uint8Array, counter: bigint, last: boolean): void {
  const m = Array.from({ length: 16 }, (_, i) => readWord(block, i * 8));
  const v = [...h, ...IV];
  v[12] = (v[12] as bigint) ^ (counter & MASK);
  if (last) v[14] = (v[14] as bigint) ^ MASK;
  for (let round = 0; round < 12; round++) {
    const s = SIGMA[round % 10] as number[];
    const g = (a: number, b: number, c: number, d: number, x: number, y: number) =>
      mix(v, a, b, c, d, m[s[x] as number] as bigint, m[s[y] as number] as bigint);
    g(0, 4, 8, 12, 0, 1);
    g(1, 5, 9, 13, 2, 3);
    g(2, 6, 10, 14, 4, 5);
    g(3, 7, 11, 15, 6, 7);
    g(0, 5, 10, 15, 8, 9);
    g(1, 6, 11, 12, 10, 11);
    g(2, 7, 8, 13, 12, 13);
    g(3, 4, 9, 14, 14, 15);
  }
  for (let i = 0; i < 8; i++) h[i] = (h[i] as bigint) ^ (v[i] as bigint) ^ (v[i + 8] as bigint);
}

function mix(v: bigint[], a: number, b: number, c: number, d: number, x: bigint, y: bigint): void {
  v[a] = ((v[a] as bigint) + (v[b] as bigint) + x) & MASK;
  v[d] = rotr((v[d] as bigint) ^ (v[a] as bigint), 32n);
  v[c] = ((v[c] as bigint) + (v[d] as bigint)) & MASK;
  v[b] = rotr((v[b] as bigint) ^ (v[c] as bigint), 24n);
  v[a] = ((v[a] as bigint) + (v[b] as bigint) + y) & MASK;
  v[d] = rotr((v[d] as bigint) ^ (v[a] as bigint), 16n);
  v[c] = ((v[c] as bigint) + (v[d] as bigint)) & MASK;
  v[b] = rotr((v[b] as bigint) ^ (v[c] as bigint), 63n);
}

function rotr(x: bigint, n: bigint): bigint {
  return ((x >> n) | (x << (64n - n))) & MASK;
}

function readWord(block: Uint8Array, at: number): bigint {
  let word = 0n;
  for (let b = 7; b >= 0; b--) word = (word << 8n) | BigInt(block[at + b] as number);
  return word;
}
