import { describe, expect, it } from "vitest";
import {
  clientRequest,
  clientUrls,
  mtlsSecretLabel,
  parseProviderData,
  requirerAppData,
} from "../../src/etcd-client/protocol";

const request = clientRequest("/coreos.com/network", "uuid/flannel");

describe("the etcd_client request (data_interfaces v1)", () => {
  it("asks for the network's prefix with a stable salt and the library's request id", () => {
    expect(request.resource).toBe("/coreos.com/network/");
    expect(request.salt).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(clientRequest("/coreos.com/network/", "uuid/flannel")).toEqual(request);
    expect(request.requestId).toMatch(/^[0-9a-f]{16}$/);
    expect(mtlsSecretLabel("etcd-client:4", request)).toBe(`etcd-client.4.${request.requestId}.mtls.secret`);
    const data = requirerAppData(request, "secret:abc");
    expect(data.version).toBe("v1");
    expect(JSON.parse(data.requests as string)).toEqual([
      expect.objectContaining({
        resource: "/coreos.com/network/",
        "secret-mtls": "secret:abc",
        "mtls-cert": null,
      }),
    ]);
  });

  it("finds the answer to its request and builds https URLs from address:port endpoints", () => {
    const answer = {
      "request-id": request.requestId,
      resource: request.resource,
      salt: request.salt,
      endpoints: "198.51.100.3:2379,198.51.100.4:2379",
      "secret-tls": "secret:tls",
      "secret-user": "secret:user",
      version: "3.4.23",
    };
    const parsed = parseProviderData({ version: "v1", requests: JSON.stringify([answer]) }, request);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(clientUrls(parsed.value, undefined)).toEqual([
      "https://198.51.100.3:2379",
      "https://198.51.100.4:2379",
    ]);
    expect(clientUrls(parsed.value, "https://a:2379")).toEqual(["https://a:2379"]);
  });

  it("waits for an answer and refuses what is not the v1 contract", () => {
    expect(parseProviderData({}, request)).toMatchObject({ ok: false, kind: "incomplete" });
    expect(parseProviderData({ version: "v1", requests: "[]" }, request)).toMatchObject({
      kind: "incomplete",
    });
    expect(parseProviderData({ version: "v9", requests: "[]" }, request)).toMatchObject({ kind: "invalid" });
    expect(parseProviderData({ version: "v1", requests: "{" }, request)).toMatchObject({ kind: "invalid" });
    const partial = [{ "request-id": request.requestId, endpoints: "a:1" }];
    expect(parseProviderData({ requests: JSON.stringify(partial) }, request)).toMatchObject({
      kind: "incomplete",
      message: "waiting for the provider's CA (secret-tls)",
    });
  });
});
