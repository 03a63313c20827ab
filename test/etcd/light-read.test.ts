import { Etcd3 } from "etcd3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  answerOf,
  decodeRangeTxnValues,
  encodeRangeTxn,
  fieldsOf,
  frameGrpc,
  readKeysLightly,
} from "../../src/etcd/light-read";
import type { EtcdAccess } from "../../src/etcd/relation-data";
import { type EtcdServer, freePort, startEtcd } from "./etcd-server";

// A TxnResponse as etcd encodes it: header (1), succeeded (2), responses (3) of ResponseOp.response_range
// (1) holding a header (1), kvs (2) with key (1), revisions (2, 3), version (4), value (5), and count (4).
const TXN_RESPONSE = Buffer.from(
  [
    "0a0b08b1c2d3e4f50710011802", // header: cluster_id, member_id, revision (varints)
    "1001", // succeeded: true
    "1a2b", // responses[0], 43 bytes
    "0a29", // response_range, 41 bytes
    "0a02080a", // header { cluster_id: 10 }
    "1221", // kvs[0], 33 bytes
    "0a0161", // key "a"
    "1005", // create_revision 5
    "1807", // mod_revision 7
    "2002", // version 2
    "2a167b225075626c69634950223a22312e322e332e34227d", // value {"PublicIP":"1.2.3.4"}
    "2001", // count 1
    "1a08", // responses[1], 8 bytes
    "0a06", // response_range, 6 bytes
    "0a02080a", // header
    "2000", // count 0: no kvs
  ].join(""),
  "hex",
);

describe("light etcd read: encoding", () => {
  it("encodes a Txn with no compare and one RangeRequest per key in its success branch", () => {
    expect(encodeRangeTxn(["/a/config", "/a/subnets/10.10.16.0-24"]).toString("hex")).toBe(
      [
        "120d", // success[0]: RequestOp, 13 bytes
        "0a0b", // request_range: RangeRequest, 11 bytes
        "0a09", // key, 9 bytes
        Buffer.from("/a/config").toString("hex"),
        "121c0a1a0a18",
        Buffer.from("/a/subnets/10.10.16.0-24").toString("hex"),
      ].join(""),
    );
  });

  it("frames a message as gRPC does: no compression flag, 4-byte big-endian length", () => {
    expect(frameGrpc(Buffer.from("abc")).toString("hex")).toBe("0000000003616263");
  });

  it("reads each range's first value, undefined for a key etcd does not hold", () => {
    expect(decodeRangeTxnValues(TXN_RESPONSE)).toEqual(['{"PublicIP":"1.2.3.4"}', undefined]);
  });

  it("skips varint, fixed and nested fields it does not want, and refuses a field past the end", () => {
    expect(fieldsOf(Buffer.from("08960109010203040506070812026869", "hex"), 2)).toEqual([Buffer.from("hi")]);
    expect(() => fieldsOf(Buffer.from("0a05ff", "hex"), 1)).toThrow(RangeError);
  });

  it("maps gRPC outcomes: OK with values, transient codes unavailable, any other code failed", () => {
    expect(answerOf("0", "", frameGrpc(TXN_RESPONSE))).toEqual({
      kind: "values",
      values: ['{"PublicIP":"1.2.3.4"}', undefined],
    });
    expect(answerOf("14", "connection refused", Buffer.alloc(0))).toEqual({
      kind: "unavailable",
      reason: "connection refused",
    });
    expect(answerOf("7", "etcdserver: permission denied", Buffer.alloc(0))).toEqual({
      kind: "failed",
      reason: "etcdserver: permission denied",
    });
    expect(answerOf(undefined, "", Buffer.alloc(0)).kind).toBe("unavailable");
    expect(answerOf("0", "", Buffer.from("00000000ff", "hex"))).toEqual({
      kind: "failed",
      reason: "a truncated gRPC answer",
    });
  });
});

describe.each([false, true])("light etcd read against etcd (tls: %s)", (tls) => {
  let etcd: EtcdServer;
  beforeAll(async () => {
    etcd = await startEtcd(tls);
    const client = new Etcd3({
      hosts: [...etcd.access.endpoints],
      credentials: etcd.access.tls && {
        rootCertificate: Buffer.from(etcd.access.tls.ca),
        certChain: Buffer.from(etcd.access.tls.cert),
        privateKey: Buffer.from(etcd.access.tls.key),
      },
    });
    try {
      await client.put("/light/config").value('{"Network":"10.10.0.0/16"}');
      await client.put("/light/subnets/10.10.16.0-24").value('{"PublicIP":"198.51.100.11"}');
    } finally {
      client.close();
    }
  });
  afterAll(async () => {
    await etcd?.stop();
  });

  it("reads present and absent keys in one transaction", async () => {
    const keys = ["/light/config", "/light/subnets/10.10.16.0-24", "/light/subnets/10.10.17.0-24"];
    expect(await readKeysLightly(etcd.access, keys)).toEqual({
      kind: "values",
      values: ['{"Network":"10.10.0.0/16"}', '{"PublicIP":"198.51.100.11"}', undefined],
    });
  });

  it("tries the next endpoint when one refuses connections", async () => {
    const scheme = tls ? "https" : "http";
    const dead = `${scheme}://127.0.0.1:${await freePort()}`;
    const access: EtcdAccess = { ...etcd.access, endpoints: [dead, ...etcd.access.endpoints] };
    expect(await readKeysLightly(access, ["/light/config"])).toEqual({
      kind: "values",
      values: ['{"Network":"10.10.0.0/16"}'],
    });
  });

  it("says unavailable when no endpoint answers", async () => {
    const access: EtcdAccess = { ...etcd.access, endpoints: [`http://127.0.0.1:${await freePort()}`] };
    expect((await readKeysLightly(access, ["/light/config"])).kind).toBe("unavailable");
  });
});
