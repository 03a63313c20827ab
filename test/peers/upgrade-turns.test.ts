import { describe, expect, it } from "vitest";
import { isUpgradePending, nextUpgradeTurn } from "../../src/peers/upgrade-turns";

const unit = (name: string, upgradeWanted?: string, flanneldStamp?: string) => ({
  unit: name,
  report: { upgradeWanted, flanneldStamp },
});

describe("upgrade turns", () => {
  it("a unit is pending from staging a new flanneld until it is ready running it", () => {
    expect(isUpgradePending(unit("flannel/0", "2:2", "1:1"))).toBe(true);
    expect(isUpgradePending(unit("flannel/0", "2:2", undefined))).toBe(true);
    expect(isUpgradePending(unit("flannel/0", "2:2", "2:2"))).toBe(false);
    expect(isUpgradePending(unit("flannel/0", undefined, "1:1"))).toBe(false);
  });

  it("one turn at a time: the holder keeps it until done, then the lowest-numbered pending unit", () => {
    const units = [unit("flannel/10", "b", "a"), unit("flannel/2", "b", "a"), unit("flannel/3", "b", "a")];
    expect(nextUpgradeTurn(undefined, units)).toBe("flannel/2");
    expect(nextUpgradeTurn("flannel/3", units)).toBe("flannel/3");
    const done = [unit("flannel/10", "b", "a"), unit("flannel/2", "b", "b"), unit("flannel/3", "b", "a")];
    expect(nextUpgradeTurn("flannel/2", done)).toBe("flannel/3");
    // A holder that left gives the turn up.
    expect(nextUpgradeTurn("flannel/7", done)).toBe("flannel/3");
    expect(nextUpgradeTurn("flannel/3", [unit("flannel/3", "b", "b")])).toBeUndefined();
  });
});
