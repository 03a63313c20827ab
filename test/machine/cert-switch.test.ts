import { X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { certFingerprint } from "../../src/etcd/cert-fingerprint";
import type { EtcdTls } from "../../src/etcd/relation-data";
import { createClientIdentity } from "../../src/etcd-client/client-cert";
import {
  keepRunningCredentials,
  planCredentialsChange,
  wantedCertificate,
} from "../../src/machine/cert-switch";
import { planTlsFiles, type ServiceFacts } from "../../src/machine/service-plan";

const NAME = "flannel.c7f4a5b8-1d2e-4f3a-9b6c-0d1e2f3a4b5c";
const CA = "-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n";
const ENDPOINTS = ["https://198.51.100.2:2379"];

let old: EtcdTls;
let renewed: EtcdTls;

beforeAll(async () => {
  const [a, b] = await Promise.all([createClientIdentity(NAME), createClientIdentity(NAME)]);
  old = { ca: CA, ...a };
  renewed = { ca: CA, ...b };
});

/** The service as a running unit has it: its TLS files hold `files`. */
function serviceWith(files: EtcdTls): ServiceFacts {
  const base = { unitFile: "", enabled: true, sysctlFile: undefined, ipForwardBeforeKept: true };
  return { ...base, tlsFiles: files, tlsFilesPrivate: true };
}

describe("a certificate's fingerprint", () => {
  it("is OpenSSL's SHA-256 fingerprint of the DER, without colons", () => {
    const openssl = new X509Certificate(renewed.cert).fingerprint256.replaceAll(":", "").toLowerCase();
    expect(certFingerprint(renewed.cert)).toBe(openssl);
    expect(certFingerprint(old.cert)).not.toBe(openssl);
  });
});

describe("planCredentialsChange", () => {
  it("a renewed key and certificate under a running flanneld wait for a rolling turn", () => {
    expect(planCredentialsChange(old, renewed, true)).toEqual({
      kind: "rolled",
      wanted: certFingerprint(renewed.cert),
    });
  });

  it("a first start, a stopped flanneld or a new CA take the relation's credentials at once", () => {
    expect(planCredentialsChange(undefined, renewed, false)).toEqual({ kind: "now" });
    expect(planCredentialsChange(undefined, renewed, true)).toEqual({ kind: "now" });
    expect(planCredentialsChange(old, renewed, false)).toEqual({ kind: "now" });
    expect(planCredentialsChange(old, { ...renewed, ca: `${CA}${CA}` }, true)).toEqual({ kind: "now" });
    // Same certificate, another key: no peer could tell the switch apart, so no turn is asked for.
    expect(planCredentialsChange(old, { ...old, key: renewed.key }, true)).toEqual({ kind: "now" });
  });

  it("files that hold the relation's credentials, or no TLS at all, need nothing", () => {
    expect(planCredentialsChange(renewed, renewed, true)).toEqual({ kind: "none" });
    expect(planCredentialsChange(old, undefined, true)).toEqual({ kind: "none" });
  });
});

describe("the TLS files while a renewed certificate waits, and in its turn", () => {
  const access = () => ({ endpoints: ENDPOINTS, tls: renewed });

  it("waiting: the running credentials are the wanted ones, so nothing is written and nothing restarts", () => {
    const kept = keepRunningCredentials(access(), old);
    expect(kept).toEqual({ endpoints: ENDPOINTS, tls: old });
    expect(planTlsFiles(serviceWith(old), kept.tls)).toEqual([]);
  });

  it("in its turn: the new files are written and flanneld restarts, once", () => {
    expect(planTlsFiles(serviceWith(old), access().tls)).toEqual([
      { step: "flanneld-service", effect: { kind: "write-tls-files" }, why: "etcd TLS files differ" },
      { step: "flanneld-service", effect: { kind: "restart-flanneld" }, why: "etcd credentials changed" },
    ]);
    // After apply, the plan is empty.
    expect(planTlsFiles(serviceWith(renewed), access().tls)).toEqual([]);
  });
});

describe("wantedCertificate", () => {
  it("records the renewed certificate while it waits and keeps it once in use, until it is ready", () => {
    const rolled = { kind: "rolled", wanted: "new" } as const;
    expect(wantedCertificate(rolled, undefined, "old")).toBe("new");
    expect(wantedCertificate({ kind: "none" }, "new", "new")).toBe("new");
  });

  it("forgets it when the credentials came another way", () => {
    expect(wantedCertificate({ kind: "now" }, "new", "old")).toBeUndefined();
    expect(wantedCertificate({ kind: "none" }, "new", "other")).toBeUndefined();
    expect(wantedCertificate({ kind: "none" }, undefined, "old")).toBeUndefined();
  });
});
