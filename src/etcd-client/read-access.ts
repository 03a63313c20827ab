// The etcd-client relation read as the etcd relation's modern data (connection_string, client_ca,
// client_cert, client_key), so that parsing, TLS files, the unit file and flanneld stay one code path.
// Light on purpose: the hooks' fast path calls it too (hook tools only, no certificate library).
import type { UnitData } from "../etcd/relation-data";
import { relationGetApp, relationListApp } from "../juju/relation";
import { isNotFound, type ReadMode, secretGet } from "../juju/secret";
import { type ClientRequest, clientUrls, type Parsed, parseProviderData } from "./protocol";

/** The application-owned secret holding this application's client key and certificate. */
export const CLIENT_SECRET_LABEL = "flannel-etcd-client";
/** Consumer labels for the provider's secrets, so that secret-changed names what changed. */
export const PROVIDER_TLS_LABEL = "flannel-etcd-client-tls";
export const PROVIDER_USER_LABEL = "flannel-etcd-client-user";

/**
 * The relation as one modern etcd unit. `mode` "refresh" moves to the provider's latest secret revisions
 * (the full reconcile); "tracked" reads what this unit already uses (the fast path proves nothing changed).
 */
export async function readEtcdClientUnits(
  relationId: string,
  request: ClientRequest | undefined,
  mode: ReadMode,
): Promise<Parsed<UnitData[]>> {
  const app = await relationListApp(relationId).catch(() => "");
  if (app === "") return { ok: false, kind: "incomplete", message: "waiting for etcd to join the relation" };
  const response = parseProviderData(await relationGetApp(relationId, app), request);
  if (!response.ok) return response;
  const { secretTls, secretUser } = response.value;
  const [tls, user, own] = await Promise.all([
    readSecret({ uri: secretTls, label: PROVIDER_TLS_LABEL }, mode),
    readSecret({ uri: secretUser, label: PROVIDER_USER_LABEL }, mode),
    // The owner always reads its latest revision; Juju refuses --refresh from an owner.
    readSecret({ label: CLIENT_SECRET_LABEL }, "tracked"),
  ]);
  if (own === undefined || !own.cert || !own.key)
    return { ok: false, kind: "incomplete", message: "waiting for the leader's client certificate" };
  if (tls === undefined || !tls["tls-ca"])
    return { ok: false, kind: "incomplete", message: "waiting for etcd's CA in its secret-tls" };
  if (user === undefined)
    return { ok: false, kind: "incomplete", message: "waiting for etcd's user secret (secret-user)" };
  const data = {
    connection_string: clientUrls(response.value, user.uris).join(","),
    client_ca: tls["tls-ca"],
    client_cert: own.cert,
    client_key: own.key,
  };
  return { ok: true, value: [{ unit: app, data }] };
}

async function readSecret(ref: { uri: string; label: string } | { label: string }, mode: ReadMode) {
  try {
    return await secretGet(ref, mode);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
