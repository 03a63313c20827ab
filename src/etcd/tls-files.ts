import { chmod, stat } from "node:fs/promises";
import { join } from "node:path";
import { ensureFile, readFileIfExists, removeFile } from "../fs/atomic";
import { certFingerprint } from "./cert-fingerprint";
import type { EtcdTls } from "./relation-data";

/** Where the charm keeps etcd client credentials, for itself and for flanneld. */
export const ETCD_TLS_DIR = "/etc/flannel";
export const ETCD_CA_FILE = "etcd-ca.pem";
export const ETCD_CERT_FILE = "etcd-cert.pem";
export const ETCD_KEY_FILE = "etcd-key.pem";

/** Paths of the three credential files. */
export interface EtcdTlsPaths {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** The credential file paths inside a directory (the production default is /etc/flannel). */
export function etcdTlsPaths(dir: string = ETCD_TLS_DIR): EtcdTlsPaths {
  return { ca: join(dir, ETCD_CA_FILE), cert: join(dir, ETCD_CERT_FILE), key: join(dir, ETCD_KEY_FILE) };
}

/** Writes the credentials as 0600 files atomically; says whether any file or mode changed, and where they are. */
export async function ensureTlsFiles(
  tls: EtcdTls,
  dir: string = ETCD_TLS_DIR,
): Promise<{ changed: boolean; paths: EtcdTlsPaths }> {
  const paths = etcdTlsPaths(dir);
  const results = [];
  for (const name of ["ca", "cert", "key"] as const) {
    results.push(await ensureSecretFile(paths[name], tls[name]));
  }
  return { changed: results.some(Boolean), paths };
}

/** The credentials written earlier, or undefined when any of the three files is missing. */
export async function readTlsFiles(dir: string = ETCD_TLS_DIR): Promise<EtcdTls | undefined> {
  const paths = etcdTlsPaths(dir);
  const [ca, cert, key] = [
    await readFileIfExists(paths.ca),
    await readFileIfExists(paths.cert),
    await readFileIfExists(paths.key),
  ];
  return ca !== undefined && cert !== undefined && key !== undefined ? { ca, cert, key } : undefined;
}

/** The fingerprint of the client certificate flanneld's files hold, if any (never the certificate itself). */
export async function certificateInUse(dir: string = ETCD_TLS_DIR): Promise<string | undefined> {
  const pem = await readFileIfExists(etcdTlsPaths(dir).cert);
  return pem === undefined ? undefined : certFingerprint(pem);
}

/** Removes the credential files; returns whether any was there. */
export async function removeTlsFiles(dir: string = ETCD_TLS_DIR): Promise<boolean> {
  const paths = etcdTlsPaths(dir);
  const results = [await removeFile(paths.ca), await removeFile(paths.cert), await removeFile(paths.key)];
  return results.some(Boolean);
}

// ensureFile compares content only; a file someone made readable must be tightened again.
async function ensureSecretFile(path: string, content: string): Promise<boolean> {
  const changed = await ensureFile(path, content, { mode: 0o600 });
  if ((await stat(path)).mode & 0o077) {
    await chmod(path, 0o600);
    return true;
  }
  return changed;
}
