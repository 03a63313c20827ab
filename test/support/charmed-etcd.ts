// Charmed etcd's etcd-client provider, played on the world's real etcd (client-certificate auth and RBAC
// on), as canonical/charmed-etcd-operator behaves: for a request it creates the user (the certificate's
// common name) and a role with read-write on the requested prefix only, trusts the certificate as a client
// CA and restarts the members one at a time (a renewed certificate replaces the old one in that trust); it answers with endpoints, version and two secrets (CA, user).
// It refuses a CA certificate and a common name in use. It acts only through the emulator: relation data,
// secrets put into the units' models, and the controller's part (the leader's application secret reaching
// the other units).
import "reflect-metadata";
import { writeFile } from "node:fs/promises";
import * as x509 from "@peculiar/x509";
import type { Model, SecretRecord } from "../emulator/model";
import { newSecretId } from "../emulator/secrets";
import { World } from "../world/world";
import { assertHooksSucceeded, type CharmUnit } from "./charm-unit";

export const PROVIDER_APP = "charmed-etcd";
const b64 = (text: string) => Buffer.from(text).toString("base64");
const unb64 = (text: string) => Buffer.from(text, "base64").toString("utf8");

interface Managed {
  commonName: string;
  cert: string;
  resource: string;
}

/** The provider application and what it manages. */
export class CharmedEtcd {
  readonly refusals: string[] = [];
  private readonly relationOf = new Map<CharmUnit, number>();
  private managed: Managed | undefined;
  private tlsSecret: SecretRecord | undefined;
  private userSecret: SecretRecord | undefined;

  constructor(private readonly world: World) {}

  /** A world of `machines` whose etcd (TLS, `members` of it) runs as Charmed etcd does, and its provider. */
  static async boot(machines: number, members: 1 | 3): Promise<{ world: World; provider: CharmedEtcd }> {
    const world = await World.boot({ machines, docker: false, etcd: { tls: true, members } });
    const provider = new CharmedEtcd(world);
    await provider.enableAuth().catch(async (error: unknown) => {
      await world.teardown();
      throw error;
    });
    return { world, provider };
  }

  /** Turns on what Charmed etcd runs with: RBAC, the admin (CN "client") as root, client-cert auth. */
  async enableAuth(): Promise<void> {
    for (const args of [
      ["user", "add", "root", "--no-password"],
      ["user", "grant-role", "root", "root"],
      ["user", "add", "client", "--no-password"],
      ["user", "grant-role", "client", "root"],
      ["auth", "enable"],
    ])
      await this.etcdctlOk(args);
  }

  /** juju integrate flannel charmed-etcd: the leader first, then the others; the provider answers. */
  async relate(units: readonly CharmUnit[]): Promise<void> {
    for (const unit of units) {
      const spec = { interface: "etcd_client", remoteUnits: { [`${PROVIDER_APP}/0`]: {} } };
      const json = JSON.stringify(spec);
      const result = await unit.operate(
        "relate",
        "--name",
        "etcd-client",
        "--remote-app",
        PROVIDER_APP,
        "--json",
        json,
      );
      assertHooksSucceeded(result, `${unit.name} relate`);
      this.relationOf.set(unit, Number(result.relationId));
      if (unit === units[0]) await this.shareAppSecret(unit, units.slice(1));
    }
    await this.answer(units);
  }

  /** The controller's part: the leader's application-owned secrets reach every other unit's model. */
  async shareAppSecret(leader: CharmUnit, others: readonly CharmUnit[]): Promise<void> {
    const owned = (await leader.readModel()).secrets?.filter((s) => s.ownerKind === "application") ?? [];
    for (const other of others) for (const secret of owned) await other.putSecret(secret);
  }

  /** Reads the leader's request and acts on it as Charmed etcd's leader does. */
  async answer(units: readonly CharmUnit[]): Promise<void> {
    const leader = units[0] as CharmUnit;
    const model = await leader.readModel();
    const request = this.requestOf(model);
    const cert = this.certificateOf(model, request["secret-mtls"] as string);
    const problem = refusalOf(cert);
    const commonName = new x509.X509Certificate(cert).subjectName.getField("CN")[0] ?? "";
    if (problem) return void this.refusals.push(problem);
    if (this.managed?.commonName !== commonName) {
      if ((await this.world.etcdctl(["user", "get", commonName])).exitCode === 0)
        return void this.refusals.push(`user ${commonName} already exists`);
      await this.addUser(commonName, request.resource as string);
    }
    this.managed = { commonName, cert, resource: request.resource as string };
    await this.writeTrust();
    await this.publish(units, request);
  }

  /**
   * Charmed etcd's secret-changed for the requirer's mtls-cert secret (mtls_cert_updated): the new
   * certificate is checked, the user stays (same common name), and the trusted client CAs become the
   * server CA plus each relation's current mtls-cert: the old certificate is dropped at once, with no grace,
   * and the members restart one at a time. The relation data does not change.
   */
  async mtlsCertChanged(units: readonly CharmUnit[]): Promise<void> {
    const model = await (units[0] as CharmUnit).readModel();
    const request = this.requestOf(model);
    const cert = this.certificateOf(model, request["secret-mtls"] as string);
    const problem = refusalOf(cert);
    if (problem) return void this.refusals.push(problem);
    const commonName = new x509.X509Certificate(cert).subjectName.getField("CN")[0] ?? "";
    if (!this.managed || this.managed.commonName !== commonName)
      throw new Error(`a new common name (${commonName}) is a new user: answer() handles that`);
    if (this.managed.cert === cert) return;
    this.managed = { ...this.managed, cert };
    await this.writeTrust();
  }

  /** juju remove-relation: the units see -broken; the provider deletes user, role and trust. */
  async unrelate(units: readonly CharmUnit[]): Promise<void> {
    for (const unit of units) {
      const result = await unit.operate("unrelate", "--relation-id", String(this.relationOf.get(unit)));
      assertHooksSucceeded(result, `${unit.name} unrelate`);
    }
    const managed = this.managed;
    this.managed = undefined;
    if (managed) {
      await this.etcdctlOk(["user", "delete", managed.commonName]);
      await this.etcdctlOk(["role", "delete", managed.commonName]);
    }
    await this.writeTrust();
  }

  /** A new revision of the CA secret, delivered to every unit (secret-changed). */
  async publishCa(units: readonly CharmUnit[], ca: string): Promise<void> {
    const secret = this.tlsSecret;
    if (!secret) throw new Error("no CA secret published yet");
    const content = { "tls-ca": ca, tls: "true" };
    for (const unit of units) {
      const result = await unit.secretChanged(`secret:${secret.id}`, content);
      assertHooksSucceeded(result, `${unit.name} secret-changed`);
    }
    const revision = (secret.revisions.at(-1)?.revision ?? 0) + 1;
    secret.revisions.push({ revision, content: mapValues(content, b64) });
  }

  get commonName(): string | undefined {
    return this.managed?.commonName;
  }

  private requestOf(model: Model): Record<string, unknown> {
    const relation = model.relations.find((r) => r.name === "etcd-client");
    const text = relation?.localAppData.requests;
    if (!text) throw new Error("the leader published no etcd-client request");
    const [request] = JSON.parse(text) as Record<string, unknown>[];
    if (!request) throw new Error("the etcd-client request list is empty");
    return request;
  }

  private certificateOf(model: Model, uri: string): string {
    const secret = model.secrets?.find((s) => `secret:${s.id}` === uri);
    if (!secret) throw new Error(`no secret ${uri} in the leader's model`);
    if (!secret.grants.some((g) => g.target === `application-${PROVIDER_APP}`))
      throw new Error(`secret ${uri} is not granted to ${PROVIDER_APP}`);
    const latest = secret.revisions.at(-1);
    return unb64(latest?.content["mtls-cert"] ?? "");
  }

  private async addUser(commonName: string, resource: string): Promise<void> {
    await this.etcdctlOk(["user", "add", commonName, "--no-password"]);
    await this.etcdctlOk(["role", "add", commonName]);
    await this.etcdctlOk(["role", "grant-permission", commonName, "readwrite", resource, "--prefix=true"]);
    await this.etcdctlOk(["user", "grant-role", commonName, commonName]);
  }

  /** Trusts the CA file's certificates (after a CA rotation: both) and the client's; restarts on change. */
  refreshTrust(): Promise<void> {
    return this.writeTrust();
  }

  // etcd reads its trusted client CAs at start only: Charmed etcd restarts the members one at a time.
  private async writeTrust(): Promise<void> {
    const files = this.world.etcd.files;
    if (!files) throw new Error("Charmed etcd needs the world's etcd with tls");
    const { readFile } = await import("node:fs/promises");
    const ca = await readFile(files.caFile, "utf8");
    const wanted = this.managed ? `${ca.trimEnd()}\n${this.managed.cert.trimEnd()}\n` : ca;
    if ((await readFile(files.trustedFile, "utf8")) === wanted) return;
    await writeFile(files.trustedFile, wanted, { mode: 0o600 });
    await this.world.etcd.restartMembersOneByOne();
  }

  private async publish(units: readonly CharmUnit[], request: Record<string, unknown>): Promise<void> {
    const ca = (await import("node:fs/promises")).readFile(
      (this.world.etcd.files?.caFile ?? "") as string,
      "utf8",
    );
    const uris = this.world.etcd.endpoints.join(",");
    this.tlsSecret ??= this.secret({ "tls-ca": await ca, tls: "true" });
    this.userSecret = this.secret({ username: this.managed?.commonName ?? "", uris }, this.userSecret);
    const endpoints = this.world.etcd.endpoints.map((url) => url.replace(/^https?:\/\//, "")).join(",");
    const answer = {
      "request-id": request["request-id"],
      resource: request.resource,
      salt: request.salt,
      endpoints,
      "secret-tls": `secret:${this.tlsSecret.id}`,
      "secret-user": `secret:${this.userSecret.id}`,
      version: "3.4.23",
    };
    for (const unit of units) {
      for (const secret of [this.tlsSecret, this.userSecret]) await unit.putSecret(secret);
      const data = { version: "v1", requests: JSON.stringify([answer]) };
      const result = await unit.remoteAppChange(this.relationOf.get(unit) as number, data);
      assertHooksSucceeded(result, `${unit.name} etcd-client-relation-changed`);
    }
  }

  private secret(content: Record<string, string>, existing?: SecretRecord): SecretRecord {
    return {
      id: existing?.id ?? newSecretId(),
      ownerKind: "application",
      ownerName: PROVIDER_APP,
      revisions: existing?.revisions ?? [{ revision: 1, content: mapValues(content, b64) }],
      grants: [{ target: "application-flannel", scope: "", role: "view", relationId: -1 }],
      consumers: existing?.consumers ?? {},
    };
  }

  private async etcdctlOk(args: string[]): Promise<void> {
    const result = await this.world.etcdctl(args);
    if (result.exitCode !== 0) throw new Error(`etcdctl ${args.join(" ")}: ${result.stderr}`);
  }
}

/** etcdctl inside machine m1 with flannel's own certificate and key (read from its 0600 files, or from `dir`). */
export function etcdctlAsFlannel(world: World, args: string[], dir = "/etc/flannel") {
  const tls = [
    "--cacert=/etc/flannel/etcd-ca.pem",
    `--cert=${dir}/etcd-cert.pem`,
    `--key=${dir}/etcd-key.pem`,
  ];
  const endpoints = `--endpoints=${world.etcd.endpoints.join(",")}`;
  return world.machine("m1").exec(["etcdctl", endpoints, ...tls, ...args], { env: { ETCDCTL_API: "3" } });
}

/** Charmed etcd refuses a certificate that can sign: CA:TRUE, keyCertSign or cRLSign (or no constraints). */
export function refusalOf(pem: string): string | undefined {
  const cert = new x509.X509Certificate(pem);
  const constraints = cert.getExtension(x509.BasicConstraintsExtension);
  if (!constraints) return "the certificate has no basic constraints";
  const usage = cert.getExtension(x509.KeyUsagesExtension);
  const signs = usage
    ? (usage.usages & (x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign)) !== 0
    : false;
  if (constraints.ca || signs) return "a CA certificate is refused";
  return undefined;
}

function mapValues(record: Record<string, string>, map: (v: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, map(v)]));
}
