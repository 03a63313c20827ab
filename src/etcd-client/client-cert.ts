// This application's etcd client identity: an EC P-256 key and a self-signed leaf certificate for
// clientAuth. Charmed etcd trusts the certificate itself (it adds it to its client CAs) and refuses
// anything that can sign (CA:TRUE, keyCertSign, cRLSign). Loaded only by the full reconcile: the library
// and its reflect polyfill stay out of the hooks' fast path and ./health.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

// Node's WebCrypto is the standard one; the library's types name the DOM's.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY_MS = 86_400_000;
/** How long a certificate is valid, and how long before its end the leader replaces it. */
export const VALIDITY_DAYS = 90;
export const RENEW_BEFORE_DAYS = 30;

/** PEM key and certificate. */
export interface ClientIdentity {
  readonly cert: string;
  readonly key: string;
}

/** A new key and leaf certificate whose common name (etcd's user name) is `commonName`. */
export async function createClientIdentity(commonName: string, now = new Date()): Promise<ClientIdentity> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
  const serial = Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)));
  serial[0] = (serial[0] ?? 0) & 0x7f; // a positive serial number, as RFC 5280 asks
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString("hex"),
    name: [{ CN: [commonName] }],
    notBefore: new Date(now.getTime() - 5 * 60_000), // a little slack for clocks behind ours
    notAfter: new Date(now.getTime() + VALIDITY_DAYS * DAY_MS),
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]["keys"],
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
  return { cert: cert.toString("pem"), key: x509.PemConverter.encode(pkcs8, "PRIVATE KEY") };
}

/** The certificate's common name and end of validity, or undefined when it does not parse. */
export function describeCertificate(pem: string): { commonName: string; notAfter: Date } | undefined {
  try {
    const cert = new x509.X509Certificate(pem);
    const commonName = cert.subjectName.getField("CN")[0] ?? "";
    return { commonName, notAfter: cert.notAfter };
  } catch {
    return undefined;
  }
}

/** Whether a certificate must be replaced: unreadable, another name, or within RENEW_BEFORE_DAYS of its end. */
export function needsRenewal(pem: string | undefined, commonName: string, now = new Date()): boolean {
  const described = pem === undefined ? undefined : describeCertificate(pem);
  if (described === undefined || described.commonName !== commonName) return true;
  // An hour's slack: secret-expired fires at the renewal time itself, perhaps a little early.
  return described.notAfter.getTime() - now.getTime() <= RENEW_BEFORE_DAYS * DAY_MS + 3_600_000;
}

/** When Juju should tell the leader (secret-expired) to renew: RENEW_BEFORE_DAYS before the end. */
export function renewalTime(pem: string): string | undefined {
  const described = describeCertificate(pem);
  if (described === undefined) return undefined;
  return new Date(described.notAfter.getTime() - RENEW_BEFORE_DAYS * DAY_MS)
    .toISOString()
    .replace(/\.\d+Z$/, "Z");
}
