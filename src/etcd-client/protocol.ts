// The etcd_client interface as Charmed etcd's current release speaks it: data-platform-libs
// data_interfaces v1, one request per requirer in a JSON list under `requests`, the client certificate in
// a secret (`secret-mtls`), the answer's CA and user in secrets (`secret-tls`, `secret-user`). Pure: no I/O.
import { createHash } from "node:crypto";

export const ETCD_CLIENT_RELATION = "etcd-client";
export const CONTRACT_VERSION = "v1";

/** The one request this charm makes: read-write on the network's key prefix, for its certificate. */
export interface ClientRequest {
  readonly resource: string;
  readonly salt: string;
  readonly requestId: string;
}

/** What the provider answered for our request (secret URIs, not their content). */
export interface ProviderResponse {
  readonly endpoints: readonly string[];
  readonly secretUser: string;
  readonly secretTls: string;
  readonly version?: string;
}

export type Parsed<T> =
  | { ok: true; value: T }
  | { ok: false; kind: "incomplete" | "invalid"; message: string };

/** The resource (etcd key prefix) asked for: the configured prefix with one trailing slash. */
export function resourceOf(etcdPrefix: string): string {
  return `${etcdPrefix.replace(/\/+$/, "")}/`;
}

/**
 * The request for a prefix. The library makes the salt random and keeps it in the databag; here it is
 * derived from what identifies the request, so every hook (and a new leader) writes the same request.
 * The request id is the library's: the first 16 hex digits of sha256("resource:salt").
 */
export function clientRequest(etcdPrefix: string, appIdentity: string): ClientRequest {
  const resource = resourceOf(etcdPrefix);
  const digest = createHash("sha256").update(`${appIdentity}:${resource}`).digest("base64url");
  const salt = digest.replace(/[^A-Za-z0-9]/g, "").slice(0, 16);
  const requestId = createHash("sha256").update(`${resource}:${salt}`).digest("hex").slice(0, 16);
  return { resource, salt, requestId };
}

/** The secret label the library gives the requirer's certificate secret on this relation. */
export function mtlsSecretLabel(relationId: string, request: ClientRequest): string {
  const [name, id] = relationId.split(":");
  return `${name}.${id}.${request.requestId}.mtls.secret`;
}

/** The application databag this charm's leader publishes: contract version and the request list. */
export function requirerAppData(request: ClientRequest, mtlsSecretUri: string): Record<string, string> {
  const entry = {
    resource: request.resource,
    "request-id": request.requestId,
    salt: request.salt,
    "secret-mtls": mtlsSecretUri,
    // The library sends the certificate itself only in cross-model relations (encrypted); never here.
    "mtls-cert": null,
    "external-node-connectivity": false,
  };
  return { version: CONTRACT_VERSION, requests: JSON.stringify([entry]) };
}

/** Our request's answer in the provider's application databag. */
export function parseProviderData(
  data: Readonly<Record<string, string>>,
  request: ClientRequest | undefined,
): Parsed<ProviderResponse> {
  const text = data.requests;
  if (text === undefined || text === "") return incomplete("the provider has not answered the request yet");
  if (data.version !== undefined && data.version !== CONTRACT_VERSION)
    return invalid(`the provider speaks contract ${JSON.stringify(data.version).slice(0, 20)}, not v1`);
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    return invalid("the provider's requests are not JSON");
  }
  if (!Array.isArray(list)) return invalid("the provider's requests are not a list");
  const entries = list.filter((e): e is Record<string, unknown> => typeof e === "object" && e !== null);
  // Without a request (the fast path, which has not read the config yet) the one answer there is.
  const mine = request
    ? (entries.find((e) => e["request-id"] === request.requestId) ??
      entries.find((e) => e.resource === request.resource && e.salt === request.salt))
    : entries.length === 1
      ? entries[0]
      : undefined;
  if (mine === undefined) return incomplete("the provider has not answered this charm's request yet");
  return parseResponse(mine);
}

function parseResponse(entry: Record<string, unknown>): Parsed<ProviderResponse> {
  const text = (key: string) => (typeof entry[key] === "string" ? (entry[key] as string) : "");
  const endpoints = text("endpoints")
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "");
  if (endpoints.length === 0) return incomplete("waiting for the provider's endpoints");
  if (text("secret-tls") === "") return incomplete("waiting for the provider's CA (secret-tls)");
  if (text("secret-user") === "") return incomplete("waiting for the provider's user (secret-user)");
  const version = text("version") || undefined;
  return {
    ok: true,
    value: { endpoints, secretUser: text("secret-user"), secretTls: text("secret-tls"), version },
  };
}

/**
 * Client URLs: the user secret's `uris` (full URLs) when given, else `https://` before each endpoint,
 * which Charmed etcd publishes as address:port. Its clients always use TLS.
 */
export function clientUrls(response: ProviderResponse, uris: string | undefined): string[] {
  const fromUris = (uris ?? "")
    .split(",")
    .map((u) => u.trim())
    .filter((u) => u !== "");
  if (fromUris.length > 0) return fromUris;
  return response.endpoints.map((e) => (/^[a-z]+:\/\//.test(e) ? e : `https://${e}`));
}

function incomplete(message: string): Parsed<never> {
  return { ok: false, kind: "incomplete", message };
}

function invalid(message: string): Parsed<never> {
  return { ok: false, kind: "invalid", message };
}
