import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEtcdRelation, type UnitData } from "../../src/etcd/relation-data";
import { checkTlsMaterial } from "../../src/etcd/tls-material";
import { runHost } from "../world/run";
import { createTls } from "../world/tls";

const pem = (label: string, body = "TUlJQmZha2VjZXJ0aWZpY2F0ZQ==") =>
  `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;

// Real credentials (made by openssl): the triple is checked with Node's TLS, not only for PEM shape.
let CA: string;
let CERT: string;
let KEY: string;
/** The client key in the traditional "EC PRIVATE KEY" form. */
let EC_KEY: string;
/** A valid key that belongs to another certificate. */
let OTHER_KEY: string;
/** The client key encrypted with a passphrase, in the traditional (Proc-Type) form. */
let ENCRYPTED_KEY: string;
let tlsDir: string;
beforeAll(async () => {
  tlsDir = await mkdtemp(join(tmpdir(), "relation-data-"));
  const files = await createTls(tlsDir, ["127.0.0.1"]);
  [CA, CERT, KEY, OTHER_KEY] = await Promise.all(
    [files.caFile, files.clientCertFile, files.clientKeyFile, files.serverKeyFile].map((f) =>
      readFile(f, "utf8"),
    ),
  );
  EC_KEY = await runHost(["openssl", "ec", "-in", files.clientKeyFile]);
  ENCRYPTED_KEY = await runHost([
    "openssl",
    "ec",
    "-in",
    files.clientKeyFile,
    "-aes128",
    "-passout",
    "pass:secret",
  ]);
});
afterAll(async () => {
  if (tlsDir) await rm(tlsDir, { recursive: true, force: true });
});

const modern = (unit: string, extra: Record<string, unknown> = {}): UnitData => ({
  unit,
  data: {
    connection_string: "https://10.0.0.5:2379,https://10.0.0.6:2379",
    client_ca: CA,
    client_cert: CERT,
    client_key: KEY,
    ...extra,
  },
});

function problemOf(units: UnitData[]) {
  const result = parseEtcdRelation(units, { checkTlsMaterial });
  if (result.ok) throw new Error(`expected a problem, got ${JSON.stringify(result.access)}`);
  return result.problem;
}

describe("parseEtcdRelation: good data", () => {
  it("builds http://hostname:port from the 2014 shape, deduplicated and sorted across units", () => {
    const result = parseEtcdRelation(
      [
        { unit: "etcd/1", data: { hostname: "10.0.0.9", port: "4001" } },
        { unit: "etcd/0", data: { hostname: "etcd-0.example.com", port: "4001" } },
        { unit: "etcd/2", data: { hostname: "10.0.0.9", port: "4001" } },
      ],
      { checkTlsMaterial },
    );
    expect(result).toEqual({
      ok: true,
      access: { endpoints: ["http://10.0.0.9:4001", "http://etcd-0.example.com:4001"] },
    });
  });

  it("reads the modern shape with TLS and merges every unit's URLs", () => {
    const result = parseEtcdRelation(
      [
        modern("etcd/0"),
        modern("etcd/1", { connection_string: "https://10.0.0.7:2379, https://10.0.0.5:2379/" }),
      ],
      { checkTlsMaterial },
    );
    expect(result).toEqual({
      ok: true,
      access: {
        endpoints: ["https://10.0.0.5:2379", "https://10.0.0.6:2379", "https://10.0.0.7:2379"],
        tls: { ca: CA, cert: CERT, key: KEY },
      },
    });
  });

  it("brackets IPv6 hosts and lowercases scheme and hostname", () => {
    const result = parseEtcdRelation(
      [
        { unit: "etcd/0", data: { hostname: "fd00::5", port: "4001" } },
        { unit: "etcd/1", data: { connection_string: "HTTP://[FD00::6]:2379,http://ETCD.Local:2379" } },
      ],
      { checkTlsMaterial },
    );
    expect(result).toEqual({
      ok: true,
      access: { endpoints: ["http://[fd00::5]:4001", "http://[fd00::6]:2379", "http://etcd.local:2379"] },
    });
  });

  it("skips units that have not published yet when another has", () => {
    const result = parseEtcdRelation([{ unit: "etcd/0", data: {} }, modern("etcd/1")], { checkTlsMaterial });
    expect(result.ok).toBe(true);
  });

  it("accepts a CA chain of several certificates and a key in the traditional EC form", () => {
    const result = parseEtcdRelation([modern("etcd/0", { client_ca: CA + CA, client_key: EC_KEY })], {
      checkTlsMaterial,
    });
    expect(result.ok).toBe(true);
  });
});

describe("parseEtcdRelation: incomplete data", () => {
  it("no units", () => {
    expect(problemOf([])).toEqual({
      kind: "incomplete",
      field: "connection_string",
      message: "no etcd unit has joined the relation yet",
    });
  });

  it("units without data", () => {
    expect(problemOf([{ unit: "etcd/0", data: {} }]).kind).toBe("incomplete");
  });

  it("hostname without port", () => {
    expect(problemOf([{ unit: "etcd/0", data: { hostname: "10.0.0.5" } }])).toEqual({
      kind: "incomplete",
      field: "port",
      message: "etcd/0 gave a hostname but no port",
    });
  });

  it("cert without key", () => {
    expect(problemOf([modern("etcd/0", { client_key: "" })])).toEqual({
      kind: "incomplete",
      field: "client_key",
      message: "etcd/0 gave client_ca, client_cert but not client_key",
    });
  });

  it("https without any CA", () => {
    const problem = problemOf([{ unit: "etcd/0", data: { connection_string: "https://10.0.0.5:2379" } }]);
    expect(problem.kind).toBe("incomplete");
    expect(problem.field).toBe("client_ca");
  });
});

describe("parseEtcdRelation: invalid and hostile data", () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ["port 0", { hostname: "10.0.0.5", port: "0" }, "port", /"0" is not a port number 1-65535/],
    ["port 65536", { hostname: "10.0.0.5", port: "65536" }, "port", /65536/],
    ["port with sign", { hostname: "10.0.0.5", port: "+80" }, "port", /port number/],
    ["shell in hostname", { hostname: "a;rm -rf /", port: "4001" }, "hostname", /not a hostname/],
    ["substitution", { hostname: "$(reboot)", port: "4001" }, "hostname", /not a hostname/],
    ["bad IPv4", { hostname: "10.0.0.256", port: "4001" }, "hostname", /not a hostname/],
    ["huge hostname", { hostname: "a".repeat(100_000), port: "4001" }, "hostname", /…/],
    ["number port", { hostname: "10.0.0.5", port: 4001 }, "port", /as number, expected a string/],
    ["object", { connection_string: { a: 1 } }, "connection_string", /as object/],
    ["ftp", { connection_string: "ftp://10.0.0.5:2379" }, "connection_string", /only http and https/],
    ["unix socket", { connection_string: "unix:///run/etcd.sock" }, "connection_string", /only http/],
    ["userinfo", { connection_string: "http://root:pw@10.0.0.5:2379" }, "connection_string", /user info/],
    [
      "defect 10: IPv6 zone id",
      { connection_string: "http://[fe80::1%eth0]:2379" },
      "connection_string",
      /zone/,
    ],
    ["defect 10: IPv6 zone id as hostname", { hostname: "fe80::1%eth0", port: "2379" }, "hostname", /zone/],
    ["path", { connection_string: "http://10.0.0.5:2379/v3" }, "connection_string", /a path/],
    ["query", { connection_string: "http://10.0.0.5:2379?x=1" }, "connection_string", /a query/],
    ["no port", { connection_string: "http://10.0.0.5" }, "connection_string", /explicit port/],
    ["not a URL", { connection_string: "10.0.0.5:2379" }, "connection_string", /not a URL/],
    ["newline", { connection_string: "http://10.0.0.5:2379\nExecStart=/bin/sh" }, "connection_string", /./],
    ["bad ipv6", { connection_string: "http://[fd00::zz]:2379" }, "connection_string", /IPv6/],
    ["many URLs", { connection_string: "http://a:1,".repeat(33) }, "connection_string", /at most 32/],
    ["huge", { connection_string: "x".repeat(10_000) }, "connection_string", /more than 4096/],
  ];
  for (const [name, data, field, message] of cases) {
    it(`${name} → invalid ${field}`, () => {
      const problem = problemOf([{ unit: "etcd/0", data }]);
      expect(problem.kind).toBe("invalid");
      expect(problem.field).toBe(field);
      expect(problem.message).toMatch(message);
      expect(problem.message.length).toBeLessThan(300);
    });
  }

  it("a non-PEM key is invalid and its content is never echoed", () => {
    const problem = problemOf([modern("etcd/0", { client_key: "SECRET-KEY-MATERIAL" })]);
    expect(problem).toEqual({
      kind: "invalid",
      field: "client_key",
      message: "etcd/0 published a client_key that is not PEM text",
    });
  });

  it("a certificate given as the key is invalid", () => {
    expect(problemOf([modern("etcd/0", { client_key: CERT })]).message).toMatch(
      /holds a CERTIFICATE block, expected PRIVATE KEY/,
    );
  });

  it("PEM with trailing shell text is invalid", () => {
    expect(problemOf([modern("etcd/0", { client_ca: `${CA}; rm -rf /` })]).field).toBe("client_ca");
  });

  it("a huge PEM is invalid", () => {
    expect(
      problemOf([modern("etcd/0", { client_ca: pem("CERTIFICATE", "A".repeat(70_000)) })]).message,
    ).toMatch(/more than 65536/);
  });

  it("one bad unit among good ones is reported", () => {
    const problem = problemOf([modern("etcd/0"), { unit: "etcd/1", data: { hostname: "x y", port: "1" } }]);
    expect(problem.message).toMatch(/^etcd\/1 published an invalid hostname/);
  });
});

describe("defect 4: user info in the relation data is refused and never echoed", () => {
  const cases: [string, Record<string, string>][] = [
    ["plain", { connection_string: "https://root:s3cret-pw@10.0.0.5:2379" }],
    ["after a good URL", { connection_string: "https://10.0.0.6:2379,https://root:s3cret-pw@10.0.0.5:2379" }],
    ["password with a slash", { connection_string: "https://root:s3cret/pw@10.0.0.5:2379" }],
    ["password with a comma", { connection_string: "https://root:s3cret,pw@10.0.0.5:2379" }],
    ["password with a space", { connection_string: "https://root:s3cret pw@10.0.0.5:2379" }],
    ["in the 2014 hostname", { hostname: "root:s3cret-pw@10.0.0.5", port: "2379" }],
  ];
  for (const [name, data] of cases) {
    it(`defect 4: ${name}`, () => {
      const problem = problemOf([
        { unit: "etcd/0", data: { ...data, client_ca: CA, client_cert: CERT, client_key: KEY } },
      ]);
      expect(problem.kind).toBe("invalid");
      expect(problem.message).toMatch(/user info/);
      expect(problem.message).not.toMatch(/s3cret|pw@|root/);
    });
  }
});

describe("defect 5: TLS credentials are checked with Node's TLS, naming the bad field", () => {
  const cases: [string, Record<string, string>, string, RegExp][] = [
    ["a key of another certificate", { client_key: "OTHER" }, "client_key", /does not match client_cert/],
    ["an encrypted key", { client_key: "ENCRYPTED" }, "client_key", /encrypted/],
    [
      "a key of junk base64",
      { client_key: pem("PRIVATE KEY", "a2V5a2V5") },
      "client_key",
      /not a usable private key/,
    ],
    [
      "a cert of junk base64",
      { client_cert: pem("CERTIFICATE", "Y2xpZW50Y2VydA==") },
      "client_cert",
      /not a valid certificate/,
    ],
    ["a CA of junk base64", { client_ca: pem("CERTIFICATE") }, "client_ca", /not a valid certificate/],
    ["junk after a good CA", { client_ca: "CA+JUNK" }, "client_ca", /not a valid certificate/],
  ];
  const resolve = (value: string) =>
    ({ OTHER: OTHER_KEY, ENCRYPTED: ENCRYPTED_KEY, "CA+JUNK": CA + pem("CERTIFICATE") })[value] ?? value;
  for (const [name, extra, field, message] of cases) {
    it(`defect 5: ${name} → invalid ${field}`, () => {
      const data = Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, resolve(v)]));
      const problem = problemOf([modern("etcd/0", data)]);
      expect(problem.kind).toBe("invalid");
      expect(problem.field).toBe(field);
      expect(problem.message).toMatch(message);
      expect(problem.message).not.toMatch(/-----BEGIN/);
    });
  }
});
