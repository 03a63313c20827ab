import type { Model, SecretRecord } from "../model";
import type { ConformanceCase, ToolTable } from "./case";
import { relationHook, secretId, secretUri, withFixtureSecret } from "./fixture";
import { fails, ok, usage } from "./helpers";

// secret-*_test.go with jujuctesting/secrets.go's fixture secret (owned by application u, revision 666).
const added = (check: (s: SecretRecord) => boolean) => (m: Model) => {
  const secret = m.secrets?.at(-1);
  if (!secret || !check(secret)) throw new Error(`secret ${JSON.stringify(secret)}`);
};
const b64 = (text: string) => Buffer.from(text).toString("base64");
const newUri = /^secret:[0-9a-v]{20}\n$/;
const addOk = (
  name: string,
  argv: string[],
  check: (s: SecretRecord) => boolean,
  extra: Partial<ConformanceCase> = {},
) => ({ name, argv, code: 0, stdoutMatches: newUri, after: added(check), ...extra }) as ConformanceCase;
const binary =
  "R0lGODlhDAAMAIQAAP//9/X17unp5WZmZgAAAOfn515eXvPz7Y6OjuDg4J+fn5OTk6enp56enmlpaWNjY6Ojo4SEhP/++f/++f/++f/++f/++f/++f/++f/++f/++f/++f/++f/++f/++f/++SH+Dk1hZGUgd2l0aCBHSU1QACwAAAAADAAMAAAFLCAgjoEwnuNAFOhpEMTRiggcz4BNJHrv/zCFcLiwMWYNG84BwwEeECcgggoBADs=";
const secretFile = `\n    key: |-\n      secret\n    another-key: !!binary |\n${binary
  .match(/.{1,62}/g)
  ?.map((l) => `      ${l}`)
  .join("\n")}`;

export const secretAdd: ToolTable = {
  tool: "secret-add",
  cases: [
    usage("no value", ["secret-add"], "missing secret value or filename"),
    usage("bare value", ["secret-add", "s3cret"], 'key value "s3cret" not valid'),
    usage("bad rotate", ["secret-add", "foo=bar", "--rotate", "foo"], 'rotate policy "foo" not valid'),
    usage("bad owner", ["secret-add", "foo=bar", "--owner", "foo"], 'secret owner "foo" not valid'),
    usage(
      "negative expire",
      ["secret-add", "foo=bar", "--expire", "-1h"],
      'negative expire duration "-1h" not valid',
    ),
    usage(
      "bad expire",
      ["secret-add", "foo=bar", "--expire", "2022-01-01"],
      'expire time or duration "2022-01-01" not valid',
    ),
    addOk(
      "expire duration",
      [
        "secret-add",
        "--rotate",
        "daily",
        "--expire",
        "1h",
        "--description",
        "sssshhhh",
        "--label",
        "foobar",
        "data=secret",
      ],
      (s) =>
        s.ownerKind === "application" &&
        s.ownerName === "u" &&
        s.rotatePolicy === "daily" &&
        s.description === "sssshhhh" &&
        s.label === "foobar" &&
        s.revisions[0]?.content.data === b64("secret"),
    ),
    addOk(
      "expire timestamp",
      [
        "secret-add",
        "--rotate",
        "daily",
        "--expire",
        "2022-03-04T06:06:06",
        "--description",
        "sssshhhh",
        "--label",
        "foobar",
        "data=secret",
      ],
      (s) => s.expireTime === "2022-03-04T06:06:06" && s.revisions[0]?.content.data === b64("secret"),
    ),
    addOk(
      "base64 value, unit owner",
      ["secret-add", "token#base64=key=", "--owner", "unit"],
      (s) => s.ownerKind === "unit" && s.ownerName === "u/0" && s.revisions[0]?.content.token === "key=",
    ),
    addOk(
      "from file",
      ["secret-add", "token#base64=key=", "--file", "secret.yaml"],
      (s) =>
        JSON.stringify(s.revisions[0]?.content) ===
        JSON.stringify({ key: b64("secret"), "another-key": binary, token: "key=" }),
      { files: { "secret.yaml": secretFile } },
    ),
  ],
  notExpressible: [
    {
      name: "stdout secret:9m4e2mr0ui3e8a215n4g",
      why: "the id is the test double's fixed one; the emulator makes a new xid (checked for form)",
    },
  ],
};

const fixture = (content: Record<string, string>) => ({ model: (m: Model) => withFixtureSecret(m, content) });
const certKey = fixture({ cert: "cert", key: "key" });
const certKeyYaml = "cert: cert\nkey: key\n";

export const secretGet: ToolTable = {
  tool: "secret-get",
  cases: [
    usage(
      "peek and refresh",
      ["secret-get", secretUri, "--peek", "--refresh"],
      "specify one of --peek or --refresh but not both",
    ),
    usage("nothing", ["secret-get"], "require either a secret URI or label"),
    ok(
      "json",
      ["secret-get", secretUri, "--format", "json"],
      '{"key":"s3cret!"}\n',
      fixture({ key: "s3cret!" }),
    ),
    ok("via URI", ["secret-get", secretUri], certKeyYaml, certKey),
    ok("via label", ["secret-get", "--label", "label"], certKeyYaml, certKey),
    ok("peek via URI", ["secret-get", secretUri, "--peek"], certKeyYaml, certKey),
    ok("peek via label", ["secret-get", "--label", "label", "--peek"], certKeyYaml, certKey),
    ok("refresh via URI", ["secret-get", secretUri, "--refresh"], certKeyYaml, certKey),
    ok("refresh via label", ["secret-get", "--label", "label", "--refresh"], certKeyYaml, certKey),
    ok(
      "refresh with URI and label",
      ["secret-get", secretUri, "--label", "label", "--refresh"],
      certKeyYaml,
      certKey,
    ),
    ok("key", ["secret-get", secretUri, "cert"], "cert\n", certKey),
    ok("key#base64", ["secret-get", secretUri, "cert#base64"], "Y2VydA==\n", certKey),
  ],
  notExpressible: [
    {
      name: "TestSecretGetBinary",
      why: "non-UTF-8 content as YAML !!binary: the emulator prints secret values as text",
    },
  ],
};

const updated = (check: (s: SecretRecord) => boolean) => ({
  ...fixture({ data: "old" }),
  after: (m: Model) => {
    const s = m.secrets?.find((x) => x.id === secretId);
    if (!s || !check(s)) throw new Error(`secret ${JSON.stringify(s)}`);
  },
});

export const secretSet: ToolTable = {
  tool: "secret-set",
  cases: [
    usage("no URI", ["secret-set"], "missing secret URI"),
    usage("bad URI", ["secret-set", "foo"], 'secret URI "foo" not valid'),
    usage("bare value", ["secret-set", secretUri, "s3cret"], 'key value "s3cret" not valid'),
    usage(
      "bad rotate",
      ["secret-set", secretUri, "foo=bar", "--rotate", "foo"],
      'rotate policy "foo" not valid',
    ),
    usage(
      "negative expire",
      ["secret-set", secretUri, "foo=bar", "--expire", "-1h"],
      'negative expire duration "-1h" not valid',
    ),
    usage(
      "bad expire",
      ["secret-set", secretUri, "foo=bar", "--expire", "2022-01-01"],
      'expire time or duration "2022-01-01" not valid',
    ),
    ok(
      "update",
      [
        "secret-set",
        secretUri,
        "data=secret",
        "--rotate",
        "daily",
        "--expire",
        "1h",
        "--description",
        "sssshhhh",
        "--label",
        "foobar",
      ],
      "",
      updated(
        (s) =>
          s.rotatePolicy === "daily" &&
          s.label === "foobar" &&
          s.revisions.at(-1)?.revision === 667 &&
          s.revisions.at(-1)?.content.data === b64("secret"),
      ),
    ),
    ok(
      "base64",
      ["secret-set", secretUri, "token#base64=key="],
      "",
      updated((s) => s.revisions.at(-1)?.content.token === "key="),
    ),
    ok(
      "rotate only",
      ["--rotate", "daily", secretUri].length ? ["secret-set", "--rotate", "daily", secretUri] : [],
      "",
      updated((s) => s.rotatePolicy === "daily" && s.revisions.length === 1),
    ),
    ok("from file", ["secret-set", secretUri, "token#base64=key=", "--file", "secret.yaml"], "", {
      ...updated(
        (s) =>
          JSON.stringify(s.revisions.at(-1)?.content) ===
          JSON.stringify({ key: b64("secret"), "another-key": binary, token: "key=" }),
      ),
      files: { "secret.yaml": secretFile },
    }),
  ],
  notExpressible: [],
};

export const secretRemove: ToolTable = {
  tool: "secret-remove",
  cases: [
    usage("no URI", ["secret-remove"], "missing secret URI"),
    usage("bad URI", ["secret-remove", "foo"], 'secret URI "foo" not valid'),
    ok("remove", ["secret-remove", secretUri], "", {
      ...fixture({ a: "b" }),
      after: (m) => void expectNone(m),
    }),
    ok("remove revision", ["secret-remove", secretUri, "--revision", "666"], "", {
      ...fixture({ a: "b" }),
      after: (m) => void expectNone(m),
    }),
  ],
  notExpressible: [],
};

function expectNone(m: Model): void {
  if ((m.secrets ?? []).length > 0) throw new Error("secret still there");
}

const mediawiki = (m: Model) => {
  withFixtureSecret(m, { a: "b" });
  const rel = m.relations[1];
  if (rel) rel.remoteApp = "mediawiki";
};
const inDb = { model: mediawiki, env: relationHook(1, "mediawiki/0", "mediawiki") };
const granted = (target: string | undefined) => (m: Model) => {
  const grants = m.secrets?.[0]?.grants ?? [];
  if (target === undefined ? grants.length > 0 : grants[0]?.target !== target)
    throw new Error(`grants ${JSON.stringify(grants)}`);
};

export const secretGrant: ToolTable = {
  tool: "secret-grant",
  cases: [
    usage("no URI", ["secret-grant"], "missing secret URI", inDb),
    usage("bad URI", ["secret-grant", "foo"], 'secret URI "foo" not valid', inDb),
    usage("bad unit", ["secret-grant", secretUri, "--unit", "foo", "-r", "1"], 'unit "foo" not valid', inDb),
    usage(
      "bad relation",
      ["secret-grant", secretUri, "--relation", "foo"],
      'invalid value "foo" for option --relation: invalid relation id',
      inDb,
    ),
    usage(
      "relation not found",
      ["secret-grant", secretUri, "--relation", "-666"],
      'invalid value "-666" for option --relation: relation not found',
      inDb,
    ),
    ok("grant", ["secret-grant", secretUri, "--relation", "db:1"], "", {
      ...inDb,
      after: granted("application-mediawiki"),
    }),
    ok("grant to unit", ["secret-grant", secretUri, "--relation", "db:1", "--unit", "mediawiki/0"], "", {
      ...inDb,
      after: granted("unit-mediawiki-0"),
    }),
    {
      ...usage(
        "wrong unit",
        ["secret-grant", secretUri, "--relation", "db:1", "--unit", "foo/0"],
        'cannot specify unit "foo/0" in relation to application "mediawiki"',
        inDb,
      ),
    },
  ],
  notExpressible: [
    {
      name: 'unit "foo" with no -r',
      why: "Juju's double supplies relation 1 by default in Init; the emulator checks -r first (same exit code)",
    },
  ],
};

const withGrants = (m: Model) => {
  mediawiki(m);
  const s = m.secrets?.[0];
  if (s)
    s.grants = [
      { target: "application-mediawiki", scope: "u:peer1 mediawiki:peer1", role: "view", relationId: 1 },
      { target: "unit-mediawiki-0", scope: "u:peer1 mediawiki:peer1", role: "view", relationId: 1 },
    ];
};

export const secretRevoke: ToolTable = {
  tool: "secret-revoke",
  cases: [
    usage("no URI", ["secret-revoke"], "missing secret URI"),
    usage("nothing to revoke", ["secret-revoke", secretUri], "missing relation or application or unit"),
    usage("bad application", ["secret-revoke", secretUri, "--app", "0/foo"], 'application "0/foo" not valid'),
    usage(
      "app and unit",
      ["secret-revoke", secretUri, "--app", "foo", "--unit", "foo/0"],
      "specify only one of application or unit",
    ),
    usage("bad unit", ["secret-revoke", secretUri, "--unit", "foo"], 'unit "foo" not valid'),
    usage(
      "relation not found",
      ["secret-revoke", secretUri, "--relation", "-666"],
      'invalid value "-666" for option --relation: relation not found',
    ),
    ok("for app", ["secret-revoke", secretUri, "--app", "mediawiki"], "", {
      model: withGrants,
      after: (m) => void expectTargets(m, ["unit-mediawiki-0"]),
    }),
    ok("for relation", ["secret-revoke", secretUri, "--relation", "db:1"], "", {
      ...inDb,
      model: withGrants,
      after: (m) => void expectTargets(m, ["unit-mediawiki-0"]),
    }),
    ok("for relation unit", ["secret-revoke", secretUri, "--relation", "db:1", "--unit", "mediawiki/0"], "", {
      ...inDb,
      model: withGrants,
      after: (m) => void expectTargets(m, ["application-mediawiki"]),
    }),
  ],
  notExpressible: [],
};

function expectTargets(m: Model, want: string[]): void {
  const got = (m.secrets?.[0]?.grants ?? []).map((g) => g.target);
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`grants ${JSON.stringify(got)}`);
}

export const secretIds: ToolTable = {
  tool: "secret-ids",
  cases: [ok("ids", ["secret-ids"], `${secretId}\n`, fixture({ a: "b" }))],
  notExpressible: [],
};

const infoYaml = `${secretId}:\n  revision: 666\n  label: label\n  owner: application\n  description: description\n  rotation: hourly\n`;

export const secretInfoGet: ToolTable = {
  tool: "secret-info-get",
  cases: [
    usage("nothing", ["secret-info-get"], "require either a secret URI or label"),
    usage(
      "URI and label",
      ["secret-info-get", secretUri, "--label", "foo"],
      "specify either a secret URI or label but not both",
    ),
    ok("by URI", ["secret-info-get", secretUri], infoYaml, fixture({ a: "b" })),
    ok(
      "with grants",
      ["secret-info-get", secretUri],
      `${infoYaml}  access:\n  - target: application-gitlab\n    scope: relation-key\n    role: view\n`,
      {
        model: (m) => {
          withFixtureSecret(m, { a: "b" });
          const s = m.secrets?.[0];
          if (s)
            s.grants = [{ target: "application-gitlab", scope: "relation-key", role: "view", relationId: 0 }];
        },
      },
    ),
    fails(
      "not found",
      ["secret-info-get", "secret:cd88u16ffbaql5kgmlh0"],
      'secret "cd88u16ffbaql5kgmlh0" not found',
      fixture({ a: "b" }),
    ),
    fails(
      "label not found",
      ["secret-info-get", "--label", "not-found-label"],
      'secret "not-found-label" not found',
      fixture({ a: "b" }),
    ),
    ok("by label", ["secret-info-get", "--label", "label"], infoYaml, fixture({ a: "b" })),
  ],
  notExpressible: [],
};
