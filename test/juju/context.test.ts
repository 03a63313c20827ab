import { describe, expect, it } from "vitest";
import { readJujuContext } from "../../src/juju/context";

const base = {
  JUJU_UNIT_NAME: "flannel/2",
  JUJU_CHARM_DIR: "/var/lib/juju/agents/unit-flannel-2/charm",
  JUJU_MODEL_NAME: "prod",
  JUJU_MODEL_UUID: "uuid-1",
  JUJU_MACHINE_ID: "4",
  JUJU_VERSION: "3.4.2",
};

describe("readJujuContext", () => {
  it("reads a relation hook run through dispatch", () => {
    const context = readJujuContext({
      ...base,
      JUJU_DISPATCH_PATH: "hooks/etcd-relation-departed",
      JUJU_HOOK_NAME: "ignored-when-dispatch-path-is-set",
      JUJU_RELATION: "etcd",
      JUJU_RELATION_ID: "etcd:3",
      JUJU_REMOTE_UNIT: "etcd/1",
      JUJU_REMOTE_APP: "etcd",
      JUJU_DEPARTING_UNIT: "etcd/1",
    });
    expect(context).toEqual({
      unitName: "flannel/2",
      appName: "flannel",
      hookName: "etcd-relation-departed",
      actionName: undefined,
      relationName: "etcd",
      relationId: "etcd:3",
      remoteUnit: "etcd/1",
      remoteApp: "etcd",
      departingUnit: "etcd/1",
      charmDir: "/var/lib/juju/agents/unit-flannel-2/charm",
      machineId: "4",
      modelName: "prod",
      modelUuid: "uuid-1",
      version: "3.4.2",
      secret: undefined,
    });
    expect(Object.isFrozen(context)).toBe(true);
  });

  it("reads which secret and revision a secret hook is about", () => {
    const context = readJujuContext({
      ...base,
      JUJU_DISPATCH_PATH: "hooks/secret-expired",
      JUJU_SECRET_ID: "secret:d4s1g1vmp25c77ikfbe0",
      JUJU_SECRET_LABEL: "flannel-etcd-client",
      JUJU_SECRET_REVISION: "3",
    });
    expect(context.hookName).toBe("secret-expired");
    expect(context.secret).toEqual({
      id: "secret:d4s1g1vmp25c77ikfbe0",
      label: "flannel-etcd-client",
      revision: 3,
    });
  });

  it("falls back to the hooks/<name> script for old Juju, and to CHARM_DIR", () => {
    const context = readJujuContext({ JUJU_UNIT_NAME: "flannel/0", CHARM_DIR: "/c" }, [
      "/usr/bin/node",
      "/c/hooks/config-changed",
    ]);
    expect(context.hookName).toBe("config-changed");
    expect(context.charmDir).toBe("/c");
    expect(context.relationId).toBeUndefined();
  });

  it("has no hook name outside a hook (e.g. ./health via juju exec)", () => {
    expect(readJujuContext({}, ["/usr/bin/node", "/c/health"]).hookName).toBe("");
  });

  it("derives remoteApp from the remote unit on Juju without JUJU_REMOTE_APP", () => {
    expect(readJujuContext({ JUJU_REMOTE_UNIT: "etcd/0" }).remoteApp).toBe("etcd");
  });
});
