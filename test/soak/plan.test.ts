import { describe, expect, it } from "vitest";
import { CATALOGUE } from "./catalogue";
import { planSoak } from "./plan";
import { HOST_KINDS } from "./setup";

const hosts = HOST_KINDS.map((kind, i) => ({ name: `m${i + 1}`, kind }));
const plan = (seed: number, minutes = 30) =>
  planSoak({
    seed,
    minutes,
    kinds: CATALOGUE,
    hosts,
    churnHost: "m5",
    windowS: 30,
    updateStatusIntervalS: 20,
  });

describe("soak plan", () => {
  it("has at least 25 kinds of fault, each named once", () => {
    const names = CATALOGUE.map((k) => k.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeGreaterThanOrEqual(25);
  });

  it("is the same plan for the same seed, and another for another seed", () => {
    expect(plan(19)).toEqual(plan(19));
    expect(plan(20).faults).not.toEqual(plan(19).faults);
  });

  it("never puts two faults on one machine inside a recovery window, nor a fault beside a world fault", () => {
    const busy = new Map<string, number>();
    for (const fault of plan(7).faults) {
      const names = fault.targets.length > 0 ? fault.targets : hosts.map((h) => h.name);
      for (const name of names) expect(fault.atS).toBeGreaterThanOrEqual(busy.get(name) ?? 0);
      for (const name of names) busy.set(name, fault.atS + fault.holdS + 30);
    }
  });

  it("targets only machines of the kind a fault needs, and covers every kind in 30 minutes", () => {
    const { faults } = plan(19);
    for (const fault of faults) {
      const only = CATALOGUE.find((k) => k.name === fault.kind)?.only;
      for (const target of fault.targets)
        expect(only === undefined || hosts.find((h) => h.name === target)?.kind === only).toBe(true);
    }
    expect(new Set(faults.map((f) => f.kind))).toEqual(new Set(CATALOGUE.map((k) => k.name)));
  });

  it("adds and removes the churn unit at least once in a 3-minute soak", () => {
    const ops = plan(19, 3).hooks.map((h) => h.op);
    expect(ops).toContain("unit-added");
    expect(ops).toContain("unit-removed");
  });
});
