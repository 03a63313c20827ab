import { describe, expect, it } from "vitest";
import { findForwardProblem, findMissingForwardRules } from "../../src/bridges/forward-plan";
import { ensureForwardRules, removeForwardRules } from "../../src/bridges/forward-rules";

const S = "-s 10.10.0.0/16 -m comment --comment flannel-charm -j ACCEPT";
const D = "-d 10.10.0.0/16 -m comment --comment flannel-charm -j ACCEPT";
const FLANNELD = '-A FORWARD -m comment --comment "flanneld forward" -j FLANNEL-FWD';

function listing(policy: string, ...rules: string[]) {
  return [`-P FORWARD ${policy}`, ...rules, ""].join("\n");
}

/** A fake iptables: answers -S FORWARD with `forward`, records every other call. */
function fakeIptables(forward: string, exitCode = 0) {
  const calls: string[] = [];
  const run = async (_file: string, args: readonly string[]) => {
    calls.push(`run ${args.join(" ")}`);
    return { exitCode, stdout: forward };
  };
  const exec = async (_file: string, args: readonly string[]) => {
    calls.push(`exec ${args.join(" ")}`);
  };
  return { calls, run, exec };
}

describe("forward rules", () => {
  it("finds both accept rules missing after iptables -F FORWARD", () => {
    expect(findMissingForwardRules(listing("DROP"), "10.10.0.0/16")).toEqual([S.split(" "), D.split(" ")]);
    expect(findForwardProblem(listing("DROP", FLANNELD), "10.10.0.0/16")).toBe("forward-dropped");
  });

  it("finds nothing missing when both are there; a policy of ACCEPT is no problem either way", () => {
    expect(
      findMissingForwardRules(listing("DROP", `-A FORWARD ${S}`, `-A FORWARD ${D}`), "10.10.0.0/16"),
    ).toEqual([]);
    expect(findForwardProblem(listing("ACCEPT"), "10.10.0.0/16")).toBeUndefined();
  });

  it("inserts only the missing rules at the top, with a bounded lock wait", async () => {
    const fake = fakeIptables(listing("DROP", `-A FORWARD ${S}`));
    const changes = await ensureForwardRules("10.10.0.0/16", fake);
    expect(fake.calls).toEqual(["run -w 5 -S FORWARD", `exec -w 5 -I FORWARD 1 ${D}`]);
    expect(changes).toEqual([`-w 5 -I FORWARD 1 ${D}`]);
  });

  it("changes nothing when the rules are there", async () => {
    const fake = fakeIptables(listing("ACCEPT", `-A FORWARD ${S}`, `-A FORWARD ${D}`));
    expect(await ensureForwardRules("10.10.0.0/16", fake)).toEqual([]);
    expect(fake.calls).toEqual(["run -w 5 -S FORWARD"]);
  });

  it("throws naming the command when iptables cannot list (the hook then waits)", async () => {
    await expect(ensureForwardRules("10.10.0.0/16", fakeIptables("", 124))).rejects.toThrow(
      "iptables -w 5 -S FORWARD failed (exit code 124)",
    );
  });

  it("removes only its own rules", async () => {
    const fake = fakeIptables(listing("DROP", FLANNELD, `-A FORWARD ${S}`, `-A FORWARD ${D}`));
    await removeForwardRules(fake);
    expect(fake.calls).toEqual([
      "run -w 5 -S FORWARD",
      `exec -w 5 -D FORWARD ${S}`,
      `exec -w 5 -D FORWARD ${D}`,
    ]);
  });
});
