import { chmod, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ETCD_TLS_DIR,
  ensureTlsFiles,
  etcdTlsPaths,
  readTlsFiles,
  removeTlsFiles,
} from "../../src/etcd/tls-files";

const TLS = { ca: "CA PEM\n", cert: "CERT PEM\n", key: "KEY PEM\n" };
let dir: string;
beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), "tls-files-")), "flannel");
});
afterEach(async () => {
  await rm(join(dir, ".."), { recursive: true, force: true });
});

describe("etcd TLS files", () => {
  it("defaults to /etc/flannel/etcd-{ca,cert,key}.pem", () => {
    expect(ETCD_TLS_DIR).toBe("/etc/flannel");
    expect(etcdTlsPaths()).toEqual({
      ca: "/etc/flannel/etcd-ca.pem",
      cert: "/etc/flannel/etcd-cert.pem",
      key: "/etc/flannel/etcd-key.pem",
    });
  });

  it("writes 0600 files once, then reports no change", async () => {
    const first = await ensureTlsFiles(TLS, dir);
    expect(first).toEqual({ changed: true, paths: etcdTlsPaths(dir) });
    for (const [name, path] of Object.entries(first.paths)) {
      expect(await readFile(path, "utf8")).toBe(TLS[name as keyof typeof TLS]);
      expect((await stat(path)).mode & 0o777).toBe(0o600);
    }
    expect((await ensureTlsFiles(TLS, dir)).changed).toBe(false);
    expect(await readTlsFiles(dir)).toEqual(TLS);
  });

  it("a changed key or a loosened mode is a change", async () => {
    await ensureTlsFiles(TLS, dir);
    expect((await ensureTlsFiles({ ...TLS, key: "NEW KEY\n" }, dir)).changed).toBe(true);
    await chmod(etcdTlsPaths(dir).key, 0o644);
    expect((await ensureTlsFiles({ ...TLS, key: "NEW KEY\n" }, dir)).changed).toBe(true);
    expect((await stat(etcdTlsPaths(dir).key)).mode & 0o777).toBe(0o600);
  });

  it("removes the files; reading them afterwards gives undefined", async () => {
    await ensureTlsFiles(TLS, dir);
    expect(await removeTlsFiles(dir)).toBe(true);
    expect(await removeTlsFiles(dir)).toBe(false);
    expect(await readTlsFiles(dir)).toBeUndefined();
  });
});
