import { describe, expect, it } from "vitest";
import {
  isCertSwitchPending,
  isRestartPending,
  isUpgradePending,
  nextRestartTurn,
} from "../../src/peers/restart-turns";

const unit = (name: string, upgradeWanted?: string, flanneldStamp?: string) => ({
  unit: name,
  report: { upgradeWanted, flanneldStamp },
});
const certUnit = (name: string, clientCertWanted?: string, clientCert?: string) => ({
  unit: name,
  report: { clientCertWanted, clientCert },
});

describe("restart turns", () => {
  it("a unit is pending from staging a new flanneld until it is ready running it", () => {
    expect(isUpgradePending(unit("flannel/0", "2:2", "1:1"))).toBe(true);
    expect(isUpgradePending(unit("flannel/0", "2:2", undefined))).toBe(true);
    expect(isUpgradePending(unit("flannel/0", "2:2", "2:2"))).toBe(false);
    expect(isUpgradePending(unit("flannel/0", undefined, "1:1"))).toBe(false);
  });

  it("a unit is pending from seeing a renewed certificate until it is ready running with it", () => {
    expect(isCertSwitchPending(certUnit("flannel/0", "new", "old"))).toBe(true);
    // Not ready: it publishes no certificate in use, so it keeps the turn.
    expect(isCertSwitchPending(certUnit("flannel/0", "new", undefined))).toBe(true);
    expect(isCertSwitchPending(certUnit("flannel/0", "new", "new"))).toBe(false);
    expect(isCertSwitchPending(certUnit("flannel/0", undefined, "old"))).toBe(false);
    expect(isRestartPending(certUnit("flannel/0", "new", "old"))).toBe(true);
    expect(isRestartPending(unit("flannel/0", "2:2", "1:1"))).toBe(true);
    expect(isRestartPending(certUnit("flannel/0", undefined, "old"))).toBe(false);
  });

  it("one turn at a time: the holder keeps it until done, then the lowest-numbered pending unit", () => {
    const units = [unit("flannel/10", "b", "a"), unit("flannel/2", "b", "a"), unit("flannel/3", "b", "a")];
    expect(nextRestartTurn(undefined, units)).toBe("flannel/2");
    expect(nextRestartTurn("flannel/3", units)).toBe("flannel/3");
    const done = [unit("flannel/10", "b", "a"), unit("flannel/2", "b", "b"), unit("flannel/3", "b", "a")];
    expect(nextRestartTurn("flannel/2", done)).toBe("flannel/3");
    // A holder that left gives the turn up.
    expect(nextRestartTurn("flannel/7", done)).toBe("flannel/3");
    expect(nextRestartTurn("flannel/3", [unit("flannel/3", "b", "b")])).toBeUndefined();
  });

  it("certificate switches and upgrades share the one turn", () => {
    const units = [
      certUnit("flannel/0", "new", "old"),
      unit("flannel/1", "b", "a"),
      certUnit("flannel/2", "new", "old"),
    ];
    expect(nextRestartTurn(undefined, units)).toBe("flannel/0");
    // flannel/1 upgrading holds the turn: no certificate switch starts beside it.
    expect(nextRestartTurn("flannel/1", units)).toBe("flannel/1");
    const switched = [
      certUnit("flannel/0", "new", "new"),
      unit("flannel/1", "b", "a"),
      certUnit("flannel/2", "new", "old"),
    ];
    expect(nextRestartTurn("flannel/0", switched)).toBe("flannel/1");
    const settled = [certUnit("flannel/0", "new", "new"), certUnit("flannel/2", "new", "new")];
    expect(nextRestartTurn("flannel/2", settled)).toBeUndefined();
  });
});
