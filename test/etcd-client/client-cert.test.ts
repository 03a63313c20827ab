import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  createClientIdentity,
  describeCertificate,
  needsRenewal,
  renewalTime,
} from "../../src/etcd-client/client-cert";
import { commonNameOf } from "../../src/etcd-client/identity";

const NAME = commonNameOf({ appName: "flannel", modelUuid: "c7f4a5b8-1d2e-4f3a-9b6c-0d1e2f3a4b5c" });

describe("the application's etcd client identity", () => {
  it("is a leaf certificate for clientAuth whose common name is unique to the application and model", async () => {
    expect(NAME).toBe("flannel.c7f4a5b8-1d2e-4f3a-9b6c-0d1e2f3a4b5c");
    const { cert, key } = await createClientIdentity(NAME);
    expect(key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    // Read back by Node's own (OpenSSL) parser, not the library that wrote it.
    const parsed = new X509Certificate(cert);
    expect(parsed.subject).toBe(`CN=${NAME}`);
    expect(parsed.ca).toBe(false);
    expect(parsed.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
    expect(parsed.checkPrivateKey((await import("node:crypto")).createPrivateKey(key))).toBe(true);
    expect(parsed.verify(parsed.publicKey)).toBe(true);
    expect(parsed.toLegacyObject().ext_key_usage).toEqual(["1.3.6.1.5.5.7.3.2"]);
  });

  it("is renewed 30 days before its 90 days end, or when it names another application", async () => {
    const start = new Date("2026-01-01T00:00:00Z");
    const { cert } = await createClientIdentity(NAME, start);
    expect(describeCertificate(cert)?.notAfter.toISOString()).toBe("2026-04-01T00:00:00.000Z");
    expect(needsRenewal(cert, NAME, new Date("2026-03-01T00:00:00Z"))).toBe(false);
    expect(needsRenewal(cert, NAME, new Date("2026-03-03T00:00:00Z"))).toBe(true);
    expect(needsRenewal(cert, "other.c7f4", new Date("2026-01-02T00:00:00Z"))).toBe(true);
    expect(needsRenewal("not a certificate", NAME, start)).toBe(true);
    expect(renewalTime(cert)).toBe("2026-03-02T00:00:00Z");
  });
});
