// How new etcd credentials reach a running flanneld. Pure: the reconcile observes the files and the
// service, plans here and applies in hooks/cert-switch.ts.
import { certFingerprint } from "../etcd/cert-fingerprint";
import type { EtcdAccess, EtcdTls } from "../etcd/relation-data";

/** none: the files hold the relation's; now: write and restart at once; rolled: wait for a rolling turn. */
export type CredentialsChange =
  | { readonly kind: "none" }
  | { readonly kind: "now" }
  | { readonly kind: "rolled"; readonly wanted: string };

/**
 * Only a renewed client certificate (same CA, new key and certificate) under a running flanneld waits for
 * a turn: one unit restarts at a time. A first start, a stopped flanneld or a new CA (the old one may
 * already be gone from etcd's server certificates) take the relation's credentials at once.
 */
export function planCredentialsChange(
  files: EtcdTls | undefined,
  tls: EtcdTls | undefined,
  flanneldRunning: boolean,
): CredentialsChange {
  if (tls === undefined) return { kind: "none" };
  if (files?.ca === tls.ca && files.cert === tls.cert && files.key === tls.key) return { kind: "none" };
  if (!flanneldRunning || files === undefined || files.ca !== tls.ca || files.cert === tls.cert)
    return { kind: "now" };
  return { kind: "rolled", wanted: certFingerprint(tls.cert) };
}

/** The relation's access with the key and certificate the running flanneld uses (same CA, same endpoints). */
export function keepRunningCredentials(access: EtcdAccess, files: EtcdTls): EtcdAccess {
  if (access.tls === undefined) return access;
  return { ...access, tls: { ...access.tls, cert: files.cert, key: files.key } };
}

/**
 * The renewed certificate this unit still waits for, or undefined. It stays recorded after the switch
 * (equal to the certificate in use), so that the peers see the holder pending until it is ready again;
 * a certificate that came any other way clears it.
 */
export function wantedCertificate(
  change: CredentialsChange,
  recorded: string | undefined,
  inUse: string | undefined,
): string | undefined {
  if (change.kind === "rolled") return change.wanted;
  if (change.kind === "none" && recorded !== undefined && recorded === inUse) return recorded;
  return undefined;
}
