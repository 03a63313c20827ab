import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const RULES = join(ROOT, "src/prometheus_alert_rules/flannel.rules");
const RULE_TESTS = join(import.meta.dirname, "flannel-rules.test.yaml");

// Debian's prometheus package (scripts/setup) brings promtool.
describe("the alert rules", () => {
  it("pass promtool check rules", async () => {
    const result = await execa("promtool", ["check", "rules", RULES], { reject: false, all: true });
    expect(result.all).toContain("SUCCESS: 8 rules found");
    expect(result.exitCode).toBe(0);
  });

  it("pass promtool test rules: series that fire and series that must not", async () => {
    const result = await execa("promtool", ["test", "rules", RULE_TESTS], { reject: false, all: true });
    expect(result.all).toContain("SUCCESS");
    expect(result.exitCode).toBe(0);
  });
});
