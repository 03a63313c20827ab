import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import type { EtcdAccess } from "../../src/etcd/relation-data";

const ETCD = "/usr/bin/etcd";

/** A real Debian etcd on loopback with its own data dir; stop() kills it by PID and removes the dir. */
export interface EtcdServer {
  readonly access: EtcdAccess;
  readonly dir: string;
  stop(): Promise<void>;
}

/** A free loopback TCP port (closed again, so etcd can take it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Starts etcd (plain, or TLS with client-cert auth when `tls` is set) and waits until it answers. */
export async function startEtcd(tls = false): Promise<EtcdServer> {
  const dir = await mkdtemp(join(tmpdir(), "etcd-test-"));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const scheme = tls ? "https" : "http";
  const clientUrl = `${scheme}://127.0.0.1:${clientPort}`;
  const access: EtcdAccess = tls
    ? { endpoints: [clientUrl], tls: await makeCertificates(dir) }
    : { endpoints: [clientUrl] };
  const process = execa(ETCD, etcdArgs(dir, clientUrl, peerPort, tls), { reject: false, all: true });
  const stop = () => stopEtcd(process, dir);
  try {
    await waitUntilReady(process, access);
  } catch (error) {
    await stop();
    throw error;
  }
  return { access, dir, stop };
}

function etcdArgs(dir: string, clientUrl: string, peerPort: number, tls: boolean): string[] {
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const args = [
    `--name=test`,
    `--data-dir=${join(dir, "data")}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=test=${peerUrl}`,
  ];
  if (!tls) return args;
  return [
    ...args,
    `--cert-file=${join(dir, "server.pem")}`,
    `--key-file=${join(dir, "server-key.pem")}`,
    `--trusted-ca-file=${join(dir, "ca.pem")}`,
    "--client-cert-auth",
  ];
}

async function waitUntilReady(process: ResultPromise, access: EtcdAccess) {
  const { Etcd3 } = await import("etcd3");
  for (let attempt = 0; attempt < 100; attempt++) {
    if (process.exitCode !== null) throw new Error(`etcd exited early: ${String((await process).all)}`);
    const client = new Etcd3({
      hosts: [...access.endpoints],
      credentials: access.tls && {
        rootCertificate: Buffer.from(access.tls.ca),
        certChain: Buffer.from(access.tls.cert),
        privateKey: Buffer.from(access.tls.key),
      },
    });
    try {
      await client.get("ready-probe").string();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      client.close();
    }
  }
  throw new Error(`etcd at ${access.endpoints.join(",")} did not become ready`);
}

async function stopEtcd(process: ResultPromise, dir: string) {
  if (process.pid !== undefined && process.exitCode === null) process.kill("SIGTERM");
  await process;
  await rm(dir, { recursive: true, force: true });
}

/** Makes a CA, a server cert for 127.0.0.1 and a client cert with openssl; returns the client's PEMs. */
export async function makeCertificates(dir: string, prefix = "") {
  const path = (name: string) => join(dir, `${prefix}${name}`);
  const openssl = (args: string[]) => execa("openssl", args);
  await openssl([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=test-ca",
    "-keyout",
    path("ca-key.pem"),
    "-out",
    path("ca.pem"),
  ]);
  await issue(openssl, path, "server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth");
  await issue(openssl, path, "client", "extendedKeyUsage=clientAuth");
  const read = (name: string) => readFile(path(name), "utf8");
  return { ca: await read("ca.pem"), cert: await read("client.pem"), key: await read("client-key.pem") };
}

async function issue(
  openssl: (args: string[]) => Promise<unknown>,
  path: (name: string) => string,
  name: string,
  extensions: string,
) {
  const { writeFile } = await import("node:fs/promises");
  await writeFile(path(`${name}.ext`), `${extensions}\n`);
  await openssl([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    `/CN=${name}`,
    "-keyout",
    path(`${name}-key.pem`),
    "-out",
    path(`${name}.csr`),
  ]);
  await openssl([
    "x509",
    "-req",
    "-in",
    path(`${name}.csr`),
    "-CA",
    path("ca.pem"),
    "-CAkey",
    path("ca-key.pem"),
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    path(`${name}.ext`),
    "-out",
    path(`${name}.pem`),
  ]);
}
