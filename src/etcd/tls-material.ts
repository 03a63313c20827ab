// The costly half of checking a relation's TLS material: parsing the certificates and the key with Node's
// TLS, as grpc will. Apart from validate.ts because node:tls is slow to load, and the hooks' fast path
// loads this only when the material is not already proven (see relation-data.ts).
import { X509Certificate } from "node:crypto";
import { createSecureContext } from "node:tls";

/** Which TLS field is wrong and why; the message never quotes the material. */
export interface TlsProblem {
  readonly field: "client_ca" | "client_cert" | "client_key";
  readonly message: string;
}

/**
 * Checks PEM-shaped credentials the way the etcd client will load them: every certificate parses, the
 * key is unencrypted and usable, and it belongs to the client certificate (Node's TLS, as grpc uses).
 */
export function checkTlsMaterial(tls: { ca: string; cert: string; key: string }): TlsProblem | undefined {
  const badCa = firstBadCertificate(tls.ca);
  if (badCa !== undefined) return { field: "client_ca", message: `is not a valid certificate (${badCa})` };
  const badCert = firstBadCertificate(tls.cert);
  if (badCert !== undefined) {
    return { field: "client_cert", message: `is not a valid certificate (${badCert})` };
  }
  if (/^Proc-Type: *4, *ENCRYPTED/m.test(tls.key) || /-----BEGIN ENCRYPTED/.test(tls.key)) {
    return { field: "client_key", message: "is encrypted; flanneld needs an unencrypted key" };
  }
  try {
    createSecureContext({ key: tls.key });
  } catch (error) {
    return { field: "client_key", message: `is not a usable private key (${reasonOf(error)})` };
  }
  try {
    createSecureContext({ ca: tls.ca, cert: tls.cert, key: tls.key });
  } catch (error) {
    return { field: "client_key", message: `does not match client_cert (${reasonOf(error)})` };
  }
  return undefined;
}

// Node's X509Certificate reads only the first certificate of a text, so each block is parsed alone.
function firstBadCertificate(text: string): string | undefined {
  for (const block of text.match(/-----BEGIN [^-]+-----[\s\S]*?-----END [^-]+-----/g) ?? [text]) {
    try {
      new X509Certificate(block);
    } catch (error) {
      return reasonOf(error);
    }
  }
  return undefined;
}

// OpenSSL's reason, e.g. "key values mismatch", without its "error:0580…:…routines::" prefix.
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split("::").pop() ?? message).slice(0, 80);
}
