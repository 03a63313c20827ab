import { isIPv4, isIPv6 } from "node:net";

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
