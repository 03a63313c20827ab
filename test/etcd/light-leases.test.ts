import { Etcd3 } from "etcd3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prefixEnd, readLeaseFigures } from "../../src/etcd/light-leases";
import { type EtcdServer, freePort, startEtcd } from "./etcd-server";

const PREFIX = "/coreos.com/network";

describe.each([false, true])("readLeaseFigures against a real etcd (tls %s)", (tls) => {
  let etcd: EtcdServer;
  beforeAll(async () => {
    etcd = await startEtcd(tls);
    const { endpoints, tls: creds } = etcd.access;
    const client = new Etcd3({
      hosts: [...endpoints],
      ...(creds
        ? {
            credentials: {
              rootCertificate: Buffer.from(creds.ca),
              certChain: Buffer.from(creds.cert),
              privateKey: Buffer.from(creds.key),
            },
          }
        : {}),
    });
    try {
      // As flanneld leaves them: each lease key bound to an etcd lease of 24 h; one foreign key outside.
      const lease = client.lease(86_400, { autoKeepAlive: false });
      await lease.put(`${PREFIX}/subnets/10.10.16.0-24`).value('{"PublicIP":"198.51.100.11"}');
      await client.put(`${PREFIX}/subnets/10.10.17.0-24`).value('{"PublicIP":"198.51.100.12"}');
      await client.put(`${PREFIX}/config`).value('{"Network":"10.10.0.0/16"}');
      await client.put(`${PREFIX}/subnetsx`).value("not a lease");
      await lease.grant();
    } finally {
      client.close();
    }
  }, 60_000);
  afterAll(async () => {
    await etcd?.stop();
  });

  it("counts the leases and reads this unit's lease TTL", async () => {
    const figures = await readLeaseFigures(etcd.access, PREFIX, "10.10.16.0-24");
    expect(figures).toMatchObject({ held: 2, present: true });
    expect(figures?.expirySeconds).toBeGreaterThan(86_000);
    expect(figures?.expirySeconds).toBeLessThanOrEqual(86_400);
    expect((figures?.ageSeconds ?? -1) + (figures?.expirySeconds ?? 0)).toBe(86_400);
  });

  it("says a key without an etcd lease is present, with no TTL", async () => {
    expect(await readLeaseFigures(etcd.access, PREFIX, "10.10.17.0-24")).toEqual({ held: 2, present: true });
  });

  it("says a missing key is not present", async () => {
    expect(await readLeaseFigures(etcd.access, PREFIX, "10.10.99.0-24")).toEqual({ held: 2, present: false });
  });
});

describe("readLeaseFigures without etcd", () => {
  it("answers undefined when no endpoint answers", async () => {
    const access = { endpoints: [`http://127.0.0.1:${await freePort()}`] };
    expect(await readLeaseFigures(access, PREFIX, "10.10.16.0-24")).toBeUndefined();
  });
});

describe("prefixEnd", () => {
  it("is the prefix with its last byte plus one", () => {
    expect(prefixEnd("/coreos.com/network/subnets/")).toBe("/coreos.com/network/subnets0");
  });
});
