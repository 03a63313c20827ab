// The leader's side of the etcd-client relation: one client identity for the whole application (in an
// application-owned secret every unit reads), its certificate handed to etcd through a secret granted to
// the relation, and the request for the network's key prefix in the application databag.
import type { JujuContext } from "../juju/context";
import { relationGetApp, relationSetApp } from "../juju/relation";
import { type SecretInfo, secretAdd, secretGet, secretGrant, secretInfoGet, secretSet } from "../juju/secret";
import { jujuLog } from "../juju/status";
import { commonNameOf, identityOf } from "./identity";
import { clientRequest, mtlsSecretLabel, requirerAppData } from "./protocol";
import { CLIENT_SECRET_LABEL } from "./read-access";

/** Makes (or renews) the client identity and publishes the request on every etcd-client relation. */
export async function ensureClientRequests(
  context: JujuContext,
  relationIds: readonly string[],
  etcdPrefix: string,
): Promise<void> {
  const cert = await ensureClientIdentity(commonNameOf(context), context);
  const request = clientRequest(etcdPrefix, identityOf(context));
  for (const relationId of relationIds) {
    const label = mtlsSecretLabel(relationId, request);
    const info = await secretInfoGet(label);
    const uri = info ? `secret:${info.id}` : await secretAdd({ "mtls-cert": cert }, { label });
    // Same content: Juju makes no new revision, so etcd sees secret-changed only for a renewed certificate.
    if (info) await secretSet(uri, { "mtls-cert": cert });
    await secretGrant(uri, relationId);
    const wanted = requirerAppData(request, uri);
    const current = await relationGetApp(relationId, context.appName);
    if (Object.entries(wanted).some(([key, value]) => current[key] !== value))
      await relationSetApp(relationId, wanted);
  }
}

/**
 * The application's certificate, created or renewed (new secret revision) when needed: when it is due
 * (needsRenewal) and when Juju says its current revision expired (the expire time set is the renewal time).
 * The new revision of the mtls-cert secret follows in the same hook: Charmed etcd trusts it from its
 * secret-changed on, and the units move to it one at a time (hooks/cert-switch.ts).
 */
async function ensureClientIdentity(commonName: string, context: JujuContext): Promise<string> {
  const { createClientIdentity, needsRenewal, renewalTime } = await import("./client-cert");
  const info = await secretInfoGet(CLIENT_SECRET_LABEL);
  const current = info ? await secretGet({ label: CLIENT_SECRET_LABEL }) : undefined;
  const expired = info !== undefined && isCurrentRevisionExpired(context, info);
  if (current?.cert && current.key && !expired && !needsRenewal(current.cert, commonName))
    return current.cert;
  const fresh = await createClientIdentity(commonName);
  const options = { label: CLIENT_SECRET_LABEL, expire: renewalTime(fresh.cert) };
  if (info) await secretSet(`secret:${info.id}`, { ...fresh }, options);
  else await secretAdd({ ...fresh }, { ...options, owner: "application" });
  await jujuLog("INFO", `${info ? "renewed" : "created"} the etcd client certificate for ${commonName}`);
  return fresh.cert;
}

/**
 * Whether this hook is Juju's secret-expired for the client secret's current revision. One for an older
 * revision (already replaced, e.g. by needsRenewal in an earlier hook) asks for nothing more.
 */
export function isCurrentRevisionExpired(
  context: Pick<JujuContext, "hookName" | "secret">,
  info: Pick<SecretInfo, "id" | "revision">,
): boolean {
  const { hookName, secret } = context;
  if (hookName !== "secret-expired" || secret === undefined) return false;
  const ours = secret.label === CLIENT_SECRET_LABEL || bareId(secret.id) === bareId(info.id);
  return ours && (secret.revision === undefined || secret.revision === info.revision);
}

// Juju names a secret `secret:ID` or `secret://MODEL-UUID/ID`; secret-info-get keys it by ID alone.
function bareId(uri: string): string {
  return uri.replace(/^secret:(\/\/[^/]*\/)?/, "");
}
