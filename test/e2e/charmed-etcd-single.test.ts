import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CharmUnit } from "../support/charm-unit";
import { CharmedEtcd, etcdctlAsFlannel } from "../support/charmed-etcd";
import { deployUnits, E2E_TIMEOUT_MS, subnetOf, waitReady } from "../support/overlay";
import type { World } from "../world/world";

// Charmed etcd deployed as one unit (its default): one TLS member with client-certificate auth and RBAC,
// restarted in place when it trusts a new client. The three-member case is charmed-etcd.test.ts.

const PREFIX = "/coreos.com/network/";

describe("flannel on a one-member Charmed etcd", { timeout: E2E_TIMEOUT_MS }, () => {
  let world: World;
  let provider: CharmedEtcd;
  let units: CharmUnit[];

  beforeAll(async () => {
    ({ world, provider } = await CharmedEtcd.boot(2, 1));
  });
  afterAll(async () => {
    await world?.teardown();
  });

  it("every unit becomes ready on a subnet of its own, confined to the prefix", async () => {
    units = await deployUnits(world, "none");
    await provider.relate(units);
    expect(provider.refusals).toEqual([]);
    const subnets = (await waitReady(units)).map(subnetOf);
    expect(new Set(subnets).size).toBe(2);
    expect((await etcdctlAsFlannel(world, ["put", `${PREFIX}probe`, "x"])).exitCode).toBe(0);
    const outside = await etcdctlAsFlannel(world, ["put", "/elsewhere/probe", "x"]);
    expect(outside.stderr).toMatch(/permission denied/);
    expect((await etcdctlAsFlannel(world, ["del", `${PREFIX}probe`])).exitCode).toBe(0);
  });

  it("relation removed: the user is gone and the units wait", async () => {
    const commonName = provider.commonName ?? "";
    await provider.unrelate(units);
    expect((await world.etcdctl(["user", "list"])).stdout).not.toContain(commonName);
    for (const unit of units) expect((await unit.status()).status).toBe("waiting");
  });
});
