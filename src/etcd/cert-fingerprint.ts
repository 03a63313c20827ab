import { createHash } from "node:crypto";

/**
 * The SHA-256 fingerprint of a PEM certificate's DER (the first one in the text), as
 * `openssl x509 -noout -fingerprint -sha256` prints it without colons: what peers publish, never the PEM.
 */
export function certFingerprint(pem: string): string {
  const body = /-----BEGIN CERTIFICATE-----([^-]*)-----END CERTIFICATE-----/.exec(pem)?.[1] ?? pem;
  const der = Buffer.from(body.replace(/\s+/g, ""), "base64");
  return createHash("sha256").update(der).digest("hex");
}
