import { ETCD_CLIENT_RELATION } from "./protocol";

/** Whether a relation id (e.g. "etcd-client:7") belongs to the etcd-client endpoint. */
export function isEtcdClientRelation(id: string): boolean {
  return id.startsWith(`${ETCD_CLIENT_RELATION}:`);
}

/** Why a unit related on both endpoints cannot go on, naming what to remove. */
export function bothEndpointsMessage(ids: readonly string[]): string | undefined {
  const client = ids.some(isEtcdClientRelation);
  if (!client || !ids.some((id) => !isEtcdClientRelation(id))) return undefined;
  return (
    "related to both etcd (classic) and etcd-client (Charmed etcd): remove one, " +
    "'juju remove-relation flannel:etcd etcd' or 'juju remove-relation flannel:etcd-client charmed-etcd'"
  );
}
