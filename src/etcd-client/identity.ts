import type { JujuContext } from "../juju/context";

const MAX_COMMON_NAME = 64;

/** etcd's user name for this application: unique to the application and its model (Juju's model UUID). */
export function commonNameOf(context: Pick<JujuContext, "appName" | "modelUuid">): string {
  const suffix = `.${context.modelUuid}`;
  return `${context.appName.slice(0, MAX_COMMON_NAME - suffix.length)}${suffix}`;
}

/** What identifies the request across hooks and leaders. */
export function identityOf(context: Pick<JujuContext, "appName" | "modelUuid">): string {
  return `${context.modelUuid}/${context.appName}`;
}
