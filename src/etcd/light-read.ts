// One etcd read without the etcd3 client: a gRPC KV.Txn of Range requests, hand-encoded, over node:http2.
// etcd3 with grpc and protobufjs is about 750 KB to load (≈ 230 ms of a hook); this is what update-status
// needs to find out whether etcd lost its data. It speaks to the same gRPC service with the same client
// certificate as flanneld and the full client, so etcd grants or refuses it exactly as it does them.
import type { EtcdAccess } from "./relation-data";

/** What one read found: each key's value (undefined when absent), or why there is no answer. */
export type LightRead =
  | { readonly kind: "values"; readonly values: readonly (string | undefined)[] }
  /** No endpoint answered in time: etcd is down or unreachable, which proves nothing lost. */
  | { readonly kind: "unavailable"; readonly reason: string }
  /** etcd answered with an error (e.g. permission denied): the full client must say what it is. */
  | { readonly kind: "failed"; readonly reason: string };

const TXN_PATH = "/etcdserverpb.KV/Txn";
const ENDPOINT_TIMEOUT_MS = 2_000;
/** gRPC codes that mean "try later": UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED, RESOURCE_EXHAUSTED. */
const TRANSIENT_CODES = new Set(["14", "4", "1", "8"]);

/** Reads the keys in one transaction (one consistent revision), trying each endpoint in turn. */
export async function readKeysLightly(access: EtcdAccess, keys: readonly string[]): Promise<LightRead> {
  const answer = await callLightly(access, TXN_PATH, encodeRangeTxn(keys), decodeRangeTxnValues);
  if (answer.kind !== "answer") return answer;
  return { kind: "values", values: padTo(answer.value, keys.length) };
}

/** One unary gRPC call's outcome: the decoded answer, or why there is none (as in LightRead). */
export type LightAnswer<T> =
  | { readonly kind: "answer"; readonly value: T }
  | { readonly kind: "unavailable"; readonly reason: string }
  | { readonly kind: "failed"; readonly reason: string };

/** One unary call of etcd's gRPC API (e.g. "/etcdserverpb.Lease/LeaseTimeToLive"), endpoint after endpoint. */
export async function callLightly<T>(
  access: EtcdAccess,
  path: string,
  message: Buffer,
  decode: (payload: Buffer) => T,
): Promise<LightAnswer<T>> {
  // Loaded here, not at startup: only the hooks that ask etcd pay for them.
  const [{ connect }, tls] = await Promise.all([import("node:http2"), import("node:tls")]);
  const body = frameGrpc(message);
  let last: LightAnswer<T> = { kind: "unavailable", reason: "no endpoint" };
  for (const endpoint of access.endpoints) {
    const call = { connect, tlsConnect: tls.connect, endpoint, access, path, body };
    last = decodeAnswer(await callOnce(call), decode);
    if (last.kind !== "unavailable") return last;
  }
  return last;
}

function padTo(values: readonly (string | undefined)[], length: number) {
  return Array.from({ length }, (_, i) => values[i]);
}

type Connect = typeof import("node:http2").connect;
type TlsConnect = typeof import("node:tls").connect;

interface Call {
  readonly connect: Connect;
  readonly tlsConnect: TlsConnect;
  readonly endpoint: string;
  readonly access: EtcdAccess;
  readonly path: string;
  readonly body: Buffer;
}

/** What came back from one endpoint, before decoding. */
interface RawAnswer {
  readonly status: string | undefined;
  readonly message: string;
  readonly data: Buffer;
  /** Set when no answer came at all (connection refused, timeout). */
  readonly unavailable?: string;
}

function callOnce({ connect, tlsConnect, endpoint, access, path, body }: Call): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const session = connect(endpoint, tlsOptions(tlsConnect, endpoint, access));
    const chunks: Buffer[] = [];
    let grpcStatus: string | undefined;
    let grpcMessage = "";
    let done = false;
    const finish = (unavailable?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      session.destroy();
      const raw = { status: grpcStatus, message: grpcMessage, data: Buffer.concat(chunks) };
      resolve(unavailable === undefined ? raw : { ...raw, unavailable });
    };
    const timer = setTimeout(() => finish(`no answer within ${ENDPOINT_TIMEOUT_MS} ms`), ENDPOINT_TIMEOUT_MS);
    session.on("error", (error) => finish(error.message));
    const request = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc",
      te: "trailers",
    });
    const readStatus = (headers: Record<string, unknown>) => {
      if (headers["grpc-status"] !== undefined) grpcStatus = String(headers["grpc-status"]);
      if (headers["grpc-message"] !== undefined)
        grpcMessage = decodeURIComponent(String(headers["grpc-message"]));
    };
    request.on("response", readStatus);
    request.on("trailers", readStatus);
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("error", (error) => finish(error.message));
    request.on("end", () => finish());
    request.end(body);
  });
}

// http2 would name an IP address as the TLS server name, which Node warns about on stderr (RFC 6066 has
// none for addresses); tls.connect sends a name only for host names and checks the certificate alike.
function tlsOptions(tlsConnect: TlsConnect, endpoint: string, access: EtcdAccess) {
  if (!access.tls || !endpoint.startsWith("https:")) return {};
  const url = new URL(endpoint);
  const { ca, cert, key } = access.tls;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || 443);
  return { createConnection: () => tlsConnect({ host, port, ca, cert, key, ALPNProtocols: ["h2"] }) };
}

/** Turns a finished gRPC call into a LightRead. */
export function answerOf(status: string | undefined, message: string, data: Buffer): LightRead {
  const answer = decodeAnswer({ status, message, data }, decodeRangeTxnValues);
  return answer.kind === "answer" ? { kind: "values", values: answer.value } : answer;
}

function decodeAnswer<T>(raw: RawAnswer, decode: (payload: Buffer) => T): LightAnswer<T> {
  const { status, message, data } = raw;
  if (raw.unavailable !== undefined) return { kind: "unavailable", reason: raw.unavailable };
  if (status === undefined) return { kind: "unavailable", reason: "the answer had no gRPC status" };
  if (TRANSIENT_CODES.has(status)) return { kind: "unavailable", reason: message || `gRPC status ${status}` };
  if (status !== "0") return { kind: "failed", reason: message || `gRPC status ${status}` };
  const payload = unframeGrpc(data);
  if (payload === undefined) return { kind: "failed", reason: "a truncated gRPC answer" };
  try {
    return { kind: "answer", value: decode(payload) };
  } catch (error) {
    return { kind: "failed", reason: `an answer etcd's API does not describe (${(error as Error).message})` };
  }
}

/** A TxnRequest with no compare whose success branch is one RangeRequest per key. */
export function encodeRangeTxn(keys: readonly string[]): Buffer {
  const ops = keys.map((key) => {
    const range = lengthDelimited(1, Buffer.from(key, "utf8")); // RangeRequest.key
    return lengthDelimited(2, lengthDelimited(1, range)); // TxnRequest.success → RequestOp.request_range
  });
  return Buffer.concat(ops);
}

/** The value of the first kv of each ResponseOp.response_range in a TxnResponse (undefined when none). */
export function decodeRangeTxnValues(txnResponse: Buffer): (string | undefined)[] {
  const values: (string | undefined)[] = [];
  for (const op of fieldsOf(txnResponse, 3)) {
    const range = fieldsOf(op, 1)[0];
    const kv = range === undefined ? undefined : fieldsOf(range, 2)[0];
    const value = kv === undefined ? undefined : fieldsOf(kv, 5)[0];
    values.push(kv === undefined ? undefined : (value ?? Buffer.alloc(0)).toString("utf8"));
  }
  return values;
}

/** gRPC's message framing: no compression, 4-byte big-endian length. */
export function frameGrpc(message: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

function unframeGrpc(data: Buffer): Buffer | undefined {
  if (data.length < 5 || data[0] !== 0) return undefined;
  const length = data.readUInt32BE(1);
  return data.length >= 5 + length ? data.subarray(5, 5 + length) : undefined;
}

export function lengthDelimited(field: number, payload: Buffer): Buffer {
  return Buffer.concat([varint((field << 3) | 2), varint(payload.length), payload]);
}

export function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** The length-delimited occurrences of one field of a protobuf message; other fields are skipped. */
export function fieldsOf(message: Buffer, wanted: number): Buffer[] {
  const found: Buffer[] = [];
  let at = 0;
  while (at < message.length) {
    const [key, afterKey] = readVarint(message, at);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) at = readVarint(message, afterKey)[1];
    else if (wire === 1) at = afterKey + 8;
    else if (wire === 5) at = afterKey + 4;
    else if (wire === 2) {
      const [length, start] = readVarint(message, afterKey);
      if (start + length > message.length) throw new RangeError("protobuf field runs past the message");
      if (field === wanted) found.push(message.subarray(start, start + length));
      at = start + length;
    } else throw new RangeError(`protobuf wire type ${wire} is not supported`);
  }
  return found;
}

export function readVarint(buffer: Buffer, from: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let at = from; at < buffer.length && at < from + 10; at++) {
    const byte = buffer[at] as number;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) return [value, at + 1];
  }
  throw new RangeError("protobuf varint runs past the message");
}

/**
 * The varint occurrences of one field of a protobuf message (int64, bool), as bigints: etcd's lease IDs
 * use all 63 bits. Other fields are skipped.
 */
export function varintFieldsOf(message: Buffer, wanted: number): bigint[] {
  const found: bigint[] = [];
  let at = 0;
  while (at < message.length) {
    const [key, afterKey] = readVarint(message, at);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) {
      const [value, next] = readBigVarint(message, afterKey);
      if (field === wanted) found.push(value);
      at = next;
    } else if (wire === 1) at = afterKey + 8;
    else if (wire === 5) at = afterKey + 4;
    else if (wire === 2) {
      const [length, start] = readVarint(message, afterKey);
      at = start + length;
    } else throw new RangeError(`protobuf wire type ${wire} is not supported`);
  }
  return found;
}

function readBigVarint(buffer: Buffer, from: number): [bigint, number] {
  let value = 0n;
  for (let at = from; at < buffer.length && at < from + 10; at++) {
    const byte = buffer[at] as number;
    value |= BigInt(byte & 0x7f) << BigInt(7 * (at - from));
    if ((byte & 0x80) === 0) return [value, at + 1];
  }
  throw new RangeError("protobuf varint runs past the message");
}

/** A varint of any size up to 64 bits, for int64 fields such as lease IDs. */
export function bigVarint(value: bigint): Buffer {
  const bytes: number[] = [];
  let rest = BigInt.asUintN(64, value);
  while (rest > 0x7fn) {
    bytes.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  bytes.push(Number(rest));
  return Buffer.from(bytes);
}
