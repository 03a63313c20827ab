// The lease figures the metrics carry, read without the etcd3 client (light-read.ts's gRPC over
// node:http2): how many leases the network holds, whether this unit's exists, and its etcd lease's TTL.
import { bigVarint, callLightly, fieldsOf, lengthDelimited, varint, varintFieldsOf } from "./light-read";
import type { EtcdAccess } from "./relation-data";

const RANGE_PATH = "/etcdserverpb.KV/Range";
const TTL_PATH = "/etcdserverpb.Lease/LeaseTimeToLive";

/** What etcd said; undefined when it could not be asked or did not answer. */
export interface LeaseFigures {
  readonly held: number;
  readonly present: boolean;
  /** Seconds since the lease was granted, and left before it expires (absent for a key without a lease). */
  readonly ageSeconds?: number;
  readonly expirySeconds?: number;
}

/** Counts the leases under PREFIX/subnets/ and reads KEY's etcd lease. */
export async function readLeaseFigures(
  access: EtcdAccess,
  prefix: string,
  key: string,
): Promise<LeaseFigures | undefined> {
  const subnets = `${prefix}/subnets/`;
  const [count, own] = await Promise.all([
    callLightly(access, RANGE_PATH, encodeRange(subnets, prefixEnd(subnets), true), decodeCount),
    callLightly(access, RANGE_PATH, encodeRange(`${subnets}${key}`), decodeLeaseId),
  ]);
  if (count.kind !== "answer" || own.kind !== "answer") return undefined;
  const base = { held: count.value, present: own.value !== undefined };
  if (own.value === undefined || own.value === 0n) return base;
  const ttl = await callLightly(access, TTL_PATH, varintField(1, own.value), decodeTtl);
  if (ttl.kind !== "answer" || ttl.value === undefined) return base;
  return { ...base, ageSeconds: ttl.value.granted - ttl.value.left, expirySeconds: ttl.value.left };
}

/** A RangeRequest: key (1), range_end (2), count_only (9). */
export function encodeRange(key: string, rangeEnd?: string, countOnly = false): Buffer {
  return Buffer.concat([
    lengthDelimited(1, Buffer.from(key, "utf8")),
    ...(rangeEnd === undefined ? [] : [lengthDelimited(2, Buffer.from(rangeEnd, "utf8"))]),
    ...(countOnly ? [varintField(9, 1n)] : []),
  ]);
}

/** The key just past every key starting with PREFIX (its last byte plus one), as etcdctl --prefix uses. */
export function prefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, "utf8");
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) + 1;
  return bytes.toString("utf8");
}

function varintField(field: number, value: bigint): Buffer {
  return Buffer.concat([varint(field << 3), bigVarint(value)]);
}

/** RangeResponse.count (4); absent means 0, as protobuf leaves out zero. */
export function decodeCount(payload: Buffer): number {
  return Number(varintFieldsOf(payload, 4)[0] ?? 0n);
}

/** The first kv's lease ID (KeyValue.lease, 6; 0 when the key has none); undefined when no kv came back. */
export function decodeLeaseId(payload: Buffer): bigint | undefined {
  const kv = fieldsOf(payload, 2)[0];
  return kv === undefined ? undefined : (varintFieldsOf(kv, 6)[0] ?? 0n);
}

/** LeaseTimeToLiveResponse: TTL (3) and grantedTTL (4); etcd says TTL -1 for a lease already gone. */
export function decodeTtl(payload: Buffer): { left: number; granted: number } | undefined {
  const left = BigInt.asIntN(64, varintFieldsOf(payload, 3)[0] ?? 0n);
  const granted = varintFieldsOf(payload, 4)[0] ?? 0n;
  return left < 0n || granted === 0n ? undefined : { left: Number(left), granted: Number(granted) };
}
