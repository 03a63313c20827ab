import { type AddressInfo, createServer, type Socket } from "node:net";
import { Etcd3 } from "etcd3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deleteOwnLease,
  EtcdCredentialsError,
  EtcdUnavailable,
  ensureNetworkConfig,
  isLeaseInEtcd,
  listLeases,
  readNetworkConfig,
} from "../../src/etcd/client";
import type { EtcdAccess } from "../../src/etcd/relation-data";
import { type EtcdServer, freePort, makeCertificates, startEtcd } from "./etcd-server";

const DESIRED = { Network: "10.10.0.0/16", SubnetLen: 24, Backend: { Type: "udp" } };

function rawClient(access: EtcdAccess) {
  return new Etcd3({
    hosts: [...access.endpoints],
    credentials: access.tls && {
      rootCertificate: Buffer.from(access.tls.ca),
      certChain: Buffer.from(access.tls.cert),
      privateKey: Buffer.from(access.tls.key),
    },
  });
}

async function withRaw<T>(access: EtcdAccess, job: (client: Etcd3) => Promise<T>) {
  const client = rawClient(access);
  try {
    return await job(client);
  } finally {
    client.close();
  }
}

let prefixCount = 0;
const newPrefix = () => `/test-${process.pid}-${++prefixCount}/network`;

describe.each([false, true])("etcd client (tls: %s)", (tls) => {
  let etcd: EtcdServer;
  beforeAll(async () => {
    etcd = await startEtcd(tls);
  });
  afterAll(async () => {
    await etcd?.stop();
  });

  it("ten concurrent writers create the config exactly once", async () => {
    const prefix = newPrefix();
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => ensureNetworkConfig(etcd.access, prefix, DESIRED)),
    );
    expect(outcomes.filter((o) => o.outcome === "created")).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === "equal")).toHaveLength(9);
    const kv = await withRaw(etcd.access, async (c) => (await c.get(`${prefix}/config`).exec()).kvs[0]);
    expect(kv?.version).toBe("1");
    expect(kv?.create_revision).toBe(kv?.mod_revision);
    expect(kv?.value.toString()).toBe('{"Network":"10.10.0.0/16","SubnetLen":24,"Backend":{"Type":"udp"}}');
    expect(await readNetworkConfig(etcd.access, prefix)).toBe(kv?.value.toString());
  });

  it("flannel's own equivalent config (no SubnetLen) is equal and left untouched", async () => {
    const prefix = newPrefix();
    const flannelStyle = '{"Network":"10.10.0.0/16","Backend":{"Type":"udp"}}';
    await withRaw(etcd.access, (c) => c.put(`${prefix}/config`).value(flannelStyle).exec());
    expect(await ensureNetworkConfig(etcd.access, prefix, DESIRED)).toEqual({
      outcome: "equal",
      existing: flannelStyle,
    });
    expect(await readNetworkConfig(etcd.access, prefix)).toBe(flannelStyle);
  });

  it("a conflicting config is reported and never overwritten", async () => {
    const prefix = newPrefix();
    const other = '{"Network":"10.20.0.0/16","Backend":{"Type":"vxlan"}}';
    await withRaw(etcd.access, (c) => c.put(`${prefix}/config`).value(other).exec());
    expect(await ensureNetworkConfig(etcd.access, prefix, DESIRED)).toEqual({
      outcome: "conflict",
      existing: other,
    });
    expect(await readNetworkConfig(etcd.access, prefix)).toBe(other);
  });

  it("readNetworkConfig is undefined when the network was never created", async () => {
    expect(await readNetworkConfig(etcd.access, newPrefix())).toBeUndefined();
  });

  it("deleteOwnLease deletes only leases with this unit's PublicIP under this prefix", async () => {
    const prefix = newPrefix();
    const lease = (ip: string) => JSON.stringify({ PublicIP: ip, PublicIPv6: null });
    await withRaw(etcd.access, async (c) => {
      await c.put(`${prefix}/subnets/10.10.1.0-24`).value(lease("198.51.100.1"));
      await c.put(`${prefix}/subnets/10.10.2.0-24`).value(lease("198.51.100.2"));
      await c.put(`${prefix}/subnets/10.10.3.0-24`).value("not json");
      await c.put(`${prefix}/config`).value(lease("198.51.100.1"));
      await c.put(`/other${prefix}/subnets/10.10.1.0-24`).value(lease("198.51.100.1"));
    });
    expect(await deleteOwnLease(etcd.access, prefix, "198.51.100.1")).toEqual([
      `${prefix}/subnets/10.10.1.0-24`,
    ]);
    const left = await withRaw(etcd.access, (c) => c.getAll().prefix(`${prefix}/`).keys());
    expect(left.sort()).toEqual([
      `${prefix}/config`,
      `${prefix}/subnets/10.10.2.0-24`,
      `${prefix}/subnets/10.10.3.0-24`,
    ]);
    expect(
      await withRaw(etcd.access, (c) => c.get(`/other${prefix}/subnets/10.10.1.0-24`).string()),
    ).not.toBeNull();
    expect(await deleteOwnLease(etcd.access, prefix, "198.51.100.1")).toEqual([]);
  });

  it("isLeaseInEtcd: true only with the config and the lease for this PublicIP (false after a wipe)", async () => {
    const prefix = newPrefix();
    const lease = JSON.stringify({ PublicIP: "198.51.100.1", PublicIPv6: null });
    const held = () => isLeaseInEtcd(etcd.access, prefix, "10.10.1.0-24", "198.51.100.1");
    expect(await held()).toBe(false);
    await withRaw(etcd.access, (c) => c.put(`${prefix}/subnets/10.10.1.0-24`).value(lease).exec());
    expect(await held()).toBe(false);
    await withRaw(etcd.access, (c) => c.put(`${prefix}/config`).value("{}").exec());
    expect(await held()).toBe(true);
    expect(await isLeaseInEtcd(etcd.access, prefix, "10.10.1.0-24", "198.51.100.2")).toBe(false);
    await withRaw(etcd.access, (c) => c.delete().prefix(`${prefix}/`).exec());
    expect(await held()).toBe(false);
  });

  it("listLeases lists every lease under this prefix with its PublicIP", async () => {
    const prefix = newPrefix();
    await withRaw(etcd.access, async (c) => {
      await c.put(`${prefix}/subnets/10.10.1.0-24`).value('{"PublicIP":"198.51.100.1"}');
      await c.put(`${prefix}/subnets/10.10.2.0-24`).value("not json");
      await c.put(`${prefix}/config`).value("{}");
    });
    expect(await listLeases(etcd.access, prefix)).toEqual([
      { subnet: "10.10.1.0-24", publicIp: "198.51.100.1" },
      { subnet: "10.10.2.0-24", publicIp: undefined },
    ]);
    expect(await listLeases(etcd.access, newPrefix())).toEqual([]);
  });
});

describe("etcd client failures", () => {
  it("an etcd nobody listens on raises EtcdUnavailable", { timeout: 15_000 }, async () => {
    const access = { endpoints: [`http://127.0.0.1:${await freePort()}`] };
    const error = await ensureNetworkConfig(access, "/x", DESIRED).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EtcdUnavailable);
    expect((error as Error).message).toMatch(/^etcd at http:\/\/127\.0\.0\.1:\d+ is unavailable: /);
  });

  it(
    "an endpoint that accepts connections but never answers raises EtcdUnavailable",
    { timeout: 20_000 },
    async () => {
      const sockets: Socket[] = [];
      const server = createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const error = await readNetworkConfig({ endpoints: [`http://127.0.0.1:${port}`] }, "/x").catch(
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(EtcdUnavailable);
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  );

  it("a TLS etcd with credentials from another CA raises EtcdUnavailable", { timeout: 30_000 }, async () => {
    const etcd = await startEtcd(true);
    try {
      const { mkdtemp, rm } = await import("node:fs/promises");
      const { tmpdir } = await import("node:os");
      const { join } = await import("node:path");
      const dir = await mkdtemp(join(tmpdir(), "other-ca-"));
      const wrong = await makeCertificates(dir).finally(() => rm(dir, { recursive: true, force: true }));
      const error = await readNetworkConfig({ endpoints: etcd.access.endpoints, tls: wrong }, "/x").catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(EtcdUnavailable);
    } finally {
      await etcd.stop();
    }
  });
});

describe("defect 5: credentials the etcd client cannot load", () => {
  it("defect 5: a key of another certificate rejects with EtcdCredentialsError, never a bare throw", async () => {
    const { mkdtemp, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = await mkdtemp(join(tmpdir(), "mismatch-"));
    try {
      const [one, two] = [await makeCertificates(dir, "a-"), await makeCertificates(dir, "b-")];
      const access = { endpoints: [`https://127.0.0.1:${await freePort()}`], tls: { ...one, key: two.key } };
      const error = await readNetworkConfig(access, "/x").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EtcdCredentialsError);
      expect((error as Error).message).toMatch(/credentials .*key values mismatch/);
      expect((error as Error).message).not.toMatch(/BEGIN/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
