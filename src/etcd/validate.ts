import { X509Certificate } from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";
import { createSecureContext } from "node:tls";

/** A validator's verdict: the normalised value, or why it was refused (without echoing secrets). */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

export const MAX_URLS = 32;
export const MAX_CONNECTION_STRING = 4096;
export const MAX_PEM = 64 * 1024;

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const URL_SHAPE = /^(?<scheme>[A-Za-z][A-Za-z0-9+.-]*):\/\/(?<rest>.*)$/s;
const PEM_BLOCK =
  /-----BEGIN (?<label>[A-Z0-9 ]+)-----\r?\n(?:[A-Za-z0-9-]+: [^\r\n]*\r?\n)*(?:\r?\n)?(?:[A-Za-z0-9+/=]{1,76}\r?\n)+-----END \k<label>-----/g;

const USER_INFO =
  "holds user info (an '@'), which is never shown or used: give only scheme://host:port, " +
  "and credentials as client_cert and client_key";

/** Shows a hostile value safely in a message: JSON-quoted, cut short, anything before an '@' hidden. */
export function show(value: unknown): string {
  const raw = typeof value === "string" ? hideUserInfo(value) : value;
  const text = JSON.stringify(raw) ?? String(raw);
  return text.length > 60 ? `${text.slice(0, 57)}…"` : text;
}

// A password may hold any character but "@" ends it: hide all up to the last "@".
function hideUserInfo(text: string): string {
  const at = text.lastIndexOf("@");
  return at < 0 ? text : `…@${text.slice(at + 1)}`;
}

/** Refuses a value holding user info ("user:password@") without echoing any of it. */
export function checkNoUserInfo(value: string): Checked<string> {
  return value.includes("@") ? { ok: false, message: USER_INFO } : { ok: true, value };
}

/** A DNS hostname (RFC 1123) or an IPv4/IPv6 address; returns the host as used in a URL. */
export function checkHost(host: string): Checked<string> {
  if (host.includes("@")) return { ok: false, message: USER_INFO };
  if (host.includes("%")) {
    return { ok: false, message: `${show(host)} has an IPv6 zone id (%…), which flanneld cannot use` };
  }
  const lower = host.toLowerCase();
  if (isIPv4(lower)) return { ok: true, value: lower };
  if (isIPv6(lower)) return { ok: true, value: `[${lower}]` };
  const labels = lower.replace(/\.$/, "").split(".");
  if (lower.length <= 253 && labels.every((label) => LABEL.test(label)) && !/^[0-9.]+$/.test(lower)) {
    return { ok: true, value: lower.replace(/\.$/, "") };
  }
  return { ok: false, message: `${show(host)} is not a hostname or an IP address` };
}

/** A TCP port, 1–65535, written in decimal digits only. */
export function checkPort(port: string): Checked<number> {
  const value = Number(port);
  if (/^[0-9]{1,5}$/.test(port) && value >= 1 && value <= 65535) return { ok: true, value };
  return { ok: false, message: `${show(port)} is not a port number 1-65535` };
}

/** An http(s)://host:port URL with nothing else (no userinfo, path, query or fragment). */
export function checkUrl(url: string): Checked<string> {
  const noUserInfo = checkNoUserInfo(url);
  if (!noUserInfo.ok) return noUserInfo;
  const match = URL_SHAPE.exec(url.trim());
  if (!match?.groups)
    return { ok: false, message: `${show(url)} is not a URL such as https://10.0.0.5:2379` };
  const scheme = (match.groups.scheme as string).toLowerCase();
  if (scheme !== "http" && scheme !== "https") {
    return { ok: false, message: `${show(url)} uses ${show(scheme)}; only http and https are supported` };
  }
  const authority = (match.groups.rest as string).replace(/\/$/, "");
  const extra = /[@/?#]/.exec(authority);
  if (extra)
    return { ok: false, message: `${show(url)} has ${partName(extra[0])}; give only scheme://host:port` };
  return checkAuthority(scheme, authority, url);
}

function checkAuthority(scheme: string, authority: string, url: string): Checked<string> {
  const match = /^(?<host>\[[^\]]*\]|[^:]*):(?<port>[^:]*)$/.exec(authority);
  if (!match?.groups) {
    return { ok: false, message: `${show(url)} needs an explicit port, e.g. ${scheme}://10.0.0.5:2379` };
  }
  const bracketed = /^\[(.*)\]$/.exec(match.groups.host as string);
  const rawHost = bracketed ? (bracketed[1] as string) : (match.groups.host as string);
  if (bracketed && !isIPv6(rawHost))
    return { ok: false, message: `${show(url)} has an invalid IPv6 address` };
  if (rawHost.includes("%")) {
    return { ok: false, message: `${show(url)} has an IPv6 zone id (%…), which flanneld cannot use` };
  }
  const host = checkHost(rawHost);
  if (!host.ok) return { ok: false, message: `${show(url)}: ${host.message}` };
  const port = checkPort(match.groups.port as string);
  if (!port.ok) return { ok: false, message: `${show(url)}: ${port.message}` };
  return { ok: true, value: `${scheme}://${host.value}:${port.value}` };
}

function partName(char: string): string {
  return { "@": "user info", "/": "a path", "?": "a query", "#": "a fragment" }[char] ?? "extra parts";
}

/** One or more PEM blocks, all with one of the allowed labels; returns the normalised text. */
export function checkPem(text: string, labels: readonly string[]): Checked<string> {
  if (text.length > MAX_PEM) return { ok: false, message: `is ${text.length} bytes, more than ${MAX_PEM}` };
  const normalised = text.replace(/\r\n/g, "\n").trim();
  const blocks = [...normalised.matchAll(PEM_BLOCK)];
  const rest = normalised.replace(PEM_BLOCK, "").trim();
  if (blocks.length === 0 || rest !== "") return { ok: false, message: "is not PEM text" };
  const wrong = blocks.find((block) => !labels.includes(block.groups?.label ?? ""));
  if (wrong) {
    const wanted = labels.join(" or ");
    return { ok: false, message: `holds a ${wrong.groups?.label} block, expected ${wanted}` };
  }
  return { ok: true, value: `${normalised}\n` };
}

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
