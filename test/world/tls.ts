import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runHost } from "./run";

/** PEM texts a client needs, the shape the etcd relation hands over. */
export interface TlsClient {
  ca: string;
  cert: string;
  key: string;
}

/** Paths of the server side, for etcd's flags. */
export interface TlsFiles {
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  /** etcd's --trusted-ca-file: the CA, plus client certificates trusted by themselves (Charmed etcd's way). */
  trustedFile: string;
}

// P-256 keys: made in milliseconds, accepted by etcd (Go), Node and grpc-js.
const NEW_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** Makes a throwaway CA, a server cert for `serverIps` and a client cert, all signed by that CA. */
export async function createTls(dir: string, serverIps: string[]): Promise<TlsFiles> {
  await mkdir(dir, { recursive: true });
  const caFile = join(dir, "ca.crt");
  const caKey = join(dir, "ca.key");
  const subject = ["-subj", "/CN=flannel-charm-world CA"];
  await runHost([
    "openssl",
    "req",
    "-x509",
    ...NEW_KEY,
    "-keyout",
    caKey,
    "-out",
    caFile,
    "-days",
    "30",
    ...subject,
  ]);
  const sans = serverIps.map((ip) => `IP:${ip}`).join(",");
  await signCert(dir, "server", `subjectAltName=${sans}\nextendedKeyUsage=serverAuth,clientAuth\n`);
  await signCert(dir, "client", "extendedKeyUsage=clientAuth\n");
  const files = { caFile, serverCertFile: join(dir, "server.crt"), serverKeyFile: join(dir, "server.key") };
  const trustedFile = join(dir, "trusted.pem");
  await writeFile(trustedFile, await readFile(caFile, "utf8"), { mode: 0o600 });
  return {
    ...files,
    clientCertFile: join(dir, "client.crt"),
    clientKeyFile: join(dir, "client.key"),
    trustedFile,
  };
}

async function signCert(dir: string, name: string, extensions: string): Promise<void> {
  const path = (suffix: string) => join(dir, `${name}.${suffix}`);
  await writeFile(path("ext"), extensions);
  await runHost([
    "openssl",
    "req",
    ...NEW_KEY,
    "-keyout",
    path("key"),
    "-out",
    path("csr"),
    "-subj",
    `/CN=${name}`,
  ]);
  const ca = ["-CA", join(dir, "ca.crt"), "-CAkey", join(dir, "ca.key"), "-CAcreateserial"];
  const args = [
    "-req",
    "-in",
    path("csr"),
    ...ca,
    "-out",
    path("crt"),
    "-days",
    "30",
    "-extfile",
    path("ext"),
  ];
  await runHost(["openssl", "x509", ...args]);
}

/** The client side as PEM strings. */
export async function readTlsClient(files: TlsFiles): Promise<TlsClient> {
  const read = (path: string) => readFile(path, "utf8");
  const [ca, cert, key] = await Promise.all([
    read(files.caFile),
    read(files.clientCertFile),
    read(files.clientKeyFile),
  ]);
  return { ca, cert, key };
}
