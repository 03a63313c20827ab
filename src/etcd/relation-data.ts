import type { TlsProblem } from "./tls-material";
import {
  type Checked,
  checkHost,
  checkNoUserInfo,
  checkPem,
  checkPort,
  checkUrl,
  MAX_CONNECTION_STRING,
  MAX_URLS,
  show,
} from "./validate";

/** What one related unit published on the etcd relation (values are untrusted). */
export interface UnitData {
  readonly unit: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** PEM client credentials for etcd. */
export interface EtcdTls {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** How to reach etcd: sorted, deduplicated client URLs and optional TLS credentials. */
export interface EtcdAccess {
  readonly endpoints: readonly string[];
  readonly tls?: EtcdTls;
}

/** Whether two accesses reach the same etcd the same way (node:util's deep equality costs a hook its load). */
export function sameAccess(a: EtcdAccess, b: EtcdAccess): boolean {
  const sameTls =
    a.tls === undefined || b.tls === undefined
      ? a.tls === b.tls
      : a.tls.ca === b.tls.ca && a.tls.cert === b.tls.cert && a.tls.key === b.tls.key;
  return (
    sameTls && a.endpoints.length === b.endpoints.length && a.endpoints.every((e, i) => e === b.endpoints[i])
  );
}

/** Why etcd cannot be used yet: incomplete (wait for the other side) or invalid (an operator must act). */
export interface EtcdProblem {
  readonly kind: "incomplete" | "invalid";
  readonly field: string;
  readonly message: string;
}

export type EtcdAccessResult = { ok: true; access: EtcdAccess } | { ok: false; problem: EtcdProblem };

const TLS_FIELDS = { client_ca: "ca", client_cert: "cert", client_key: "key" } as const;
const PEM_LABELS: Record<keyof typeof TLS_FIELDS, readonly string[]> = {
  client_ca: ["CERTIFICATE"],
  client_cert: ["CERTIFICATE"],
  client_key: ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"],
};

type UnitResult = { ok: true; endpoints: string[]; tls?: EtcdTls } | { ok: false; problem: EtcdProblem };

export interface ParseOptions {
  /**
   * Checks TLS material that is complete and PEM-shaped: tls-material.ts parses it (costly, and node:tls
   * is slow to load), while the hooks' fast path accepts only what it has proven otherwise.
   */
  readonly checkTlsMaterial: (tls: EtcdTls) => TlsProblem | undefined;
}

/** Computes etcd access from every related unit's data, in the 2014 or the modern shape. */
export function parseEtcdRelation(units: readonly UnitData[], options: ParseOptions): EtcdAccessResult {
  const sorted = [...units].sort((a, b) => (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0));
  const endpoints = new Set<string>();
  let tls: EtcdTls | undefined;
  for (const { unit, data } of sorted) {
    if (!hasAny(data)) continue;
    const result = parseUnit(unit, data, options);
    if (!result.ok) return result;
    for (const endpoint of result.endpoints) endpoints.add(endpoint);
    tls ??= result.tls;
  }
  if (endpoints.size === 0) return incomplete("connection_string", noDataMessage(units.length));
  const list = [...endpoints].sort();
  if (!tls && list.some((url) => url.startsWith("https:"))) {
    return incomplete(
      "client_ca",
      "etcd gave https endpoints but no client_ca; waiting for its CA certificate",
    );
  }
  return { ok: true, access: tls ? { endpoints: list, tls } : { endpoints: list } };
}

function noDataMessage(count: number): string {
  if (count === 0) return "no etcd unit has joined the relation yet";
  return "waiting for etcd to publish connection_string (or hostname and port)";
}

function hasAny(data: Readonly<Record<string, unknown>>): boolean {
  const keys = ["connection_string", "hostname", "port"];
  return keys.some((key) => data[key] !== undefined && data[key] !== "");
}

function parseUnit(unit: string, data: Readonly<Record<string, unknown>>, options: ParseOptions): UnitResult {
  const typeProblem = checkTypes(unit, data);
  if (typeProblem) return { ok: false, problem: typeProblem };
  if (data.connection_string !== undefined && data.connection_string !== "")
    return parseModern(unit, data, options);
  return parseLegacy(unit, data);
}

function checkTypes(unit: string, data: Readonly<Record<string, unknown>>): EtcdProblem | undefined {
  const fields = ["connection_string", "hostname", "port", ...Object.keys(TLS_FIELDS)];
  const wrong = fields.find((field) => data[field] !== undefined && typeof data[field] !== "string");
  if (wrong === undefined) return undefined;
  return invalidProblem(wrong, `${unit} published ${wrong} as ${typeof data[wrong]}, expected a string`);
}

// The 2014 etcd charm publishes hostname and port; the client URL is http://hostname:port.
function parseLegacy(unit: string, data: Readonly<Record<string, unknown>>): UnitResult {
  const hostname = (data.hostname as string | undefined) ?? "";
  const port = (data.port as string | undefined) ?? "";
  if (hostname === "")
    return { ok: false, problem: problemOf("incomplete", "hostname", `${unit} gave a port but no hostname`) };
  if (port === "")
    return { ok: false, problem: problemOf("incomplete", "port", `${unit} gave a hostname but no port`) };
  const host = checkHost(hostname);
  if (!host.ok) return fieldFailure(unit, "hostname", host);
  const checkedPort = checkPort(port);
  if (!checkedPort.ok) return fieldFailure(unit, "port", checkedPort);
  return { ok: true, endpoints: [`http://${host.value}:${checkedPort.value}`] };
}

function parseModern(
  unit: string,
  data: Readonly<Record<string, unknown>>,
  options: ParseOptions,
): UnitResult {
  const text = data.connection_string as string;
  // Before splitting at commas: a password may hold one, and no part of it may reach a message.
  const noUserInfo = checkNoUserInfo(text);
  if (!noUserInfo.ok) return fieldFailure(unit, "connection_string", noUserInfo);
  if (text.length > MAX_CONNECTION_STRING) {
    return fieldFailure(unit, "connection_string", {
      ok: false,
      message: `is ${text.length} characters, more than ${MAX_CONNECTION_STRING}`,
    });
  }
  const urls = text
    .split(",")
    .map((url) => url.trim())
    .filter((url) => url !== "");
  if (urls.length > MAX_URLS) {
    return fieldFailure(unit, "connection_string", {
      ok: false,
      message: `lists ${urls.length} URLs, at most ${MAX_URLS}`,
    });
  }
  const endpoints: string[] = [];
  for (const url of urls) {
    const checked = checkUrl(url);
    if (!checked.ok) return fieldFailure(unit, "connection_string", checked);
    endpoints.push(checked.value);
  }
  if (endpoints.length === 0)
    return fieldFailure(unit, "connection_string", { ok: false, message: `${show(text)} lists no URL` });
  const tls = parseTls(unit, data, options);
  if (tls && "kind" in tls) return { ok: false, problem: tls };
  return tls ? { ok: true, endpoints, tls } : { ok: true, endpoints };
}

// TLS is all or nothing: flanneld only uses TLS when cert and key are both given.
function parseTls(
  unit: string,
  data: Readonly<Record<string, unknown>>,
  options: ParseOptions,
): EtcdTls | EtcdProblem | undefined {
  const fields = Object.keys(TLS_FIELDS) as (keyof typeof TLS_FIELDS)[];
  const given = fields.filter((field) => data[field] !== undefined && data[field] !== "");
  if (given.length === 0) return undefined;
  const missing = fields.find((field) => !given.includes(field));
  if (missing) return problemOf("incomplete", missing, `${unit} gave ${given.join(", ")} but not ${missing}`);
  const tls: Record<string, string> = {};
  for (const field of fields) {
    const checked = checkPem(data[field] as string, PEM_LABELS[field]);
    if (!checked.ok) return invalidProblem(field, `${unit} published a ${field} that ${checked.message}`);
    tls[TLS_FIELDS[field]] = checked.value;
  }
  const problem = options.checkTlsMaterial(tls as unknown as EtcdTls);
  if (problem)
    return invalidProblem(problem.field, `${unit} published a ${problem.field} that ${problem.message}`);
  return tls as unknown as EtcdTls;
}

function fieldFailure(unit: string, field: string, checked: Checked<unknown> & { ok: false }): UnitResult {
  return {
    ok: false,
    problem: invalidProblem(field, `${unit} published an invalid ${field}: ${checked.message}`),
  };
}

function invalidProblem(field: string, message: string): EtcdProblem {
  return problemOf("invalid", field, message);
}

function problemOf(kind: EtcdProblem["kind"], field: string, message: string): EtcdProblem {
  return { kind, field, message };
}

function incomplete(field: string, message: string): EtcdAccessResult {
  return { ok: false, problem: problemOf("incomplete", field, message) };
}
