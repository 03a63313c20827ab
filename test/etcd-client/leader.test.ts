import { describe, expect, it } from "vitest";
import { isCurrentRevisionExpired } from "../../src/etcd-client/leader";

const INFO = { id: "d4s1g1vmp25c77ikfbe0", revision: 2 };
const expired = (secret: { id: string; label?: string; revision?: number }, hookName = "secret-expired") => ({
  hookName,
  secret,
});

describe("the leader renews on secret-expired", () => {
  it("for the client secret's current revision, named by label or by id in either URI form", () => {
    expect(
      isCurrentRevisionExpired(expired({ id: "secret:x", label: "flannel-etcd-client", revision: 2 }), INFO),
    ).toBe(true);
    expect(isCurrentRevisionExpired(expired({ id: `secret:${INFO.id}`, revision: 2 }), INFO)).toBe(true);
    expect(isCurrentRevisionExpired(expired({ id: `secret://c7f4a5b8/${INFO.id}` }), INFO)).toBe(true);
  });

  it("not for a revision already replaced, another secret or another hook", () => {
    expect(isCurrentRevisionExpired(expired({ id: `secret:${INFO.id}`, revision: 1 }), INFO)).toBe(false);
    expect(isCurrentRevisionExpired(expired({ id: "secret:other", label: "other", revision: 2 }), INFO)).toBe(
      false,
    );
    const changed = expired({ id: `secret:${INFO.id}`, revision: 2 }, "secret-changed");
    expect(isCurrentRevisionExpired(changed, INFO)).toBe(false);
    expect(isCurrentRevisionExpired({ hookName: "secret-expired", secret: undefined }, INFO)).toBe(false);
  });
});
