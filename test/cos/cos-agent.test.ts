import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { blake2bHex } from "../../src/cos/blake2b";
import { dashboardUid } from "../../src/cos/dashboard";
import { renderScrapeJobs } from "../../src/cos/scrape-jobs";
import { buildCosAgentConfig } from "../../src/hooks/cos-agent";
import { readJujuContext } from "../../src/juju/context";
import { CHARM_BUILD_DIR } from "../support/paths";

const run = promisify(execFile);
const REFERENCE = new URL("./library-reference.py", import.meta.url).pathname;
const UUID = "c2e9f4d5-dcb3-4870-8509-330eb9745ee8";

function contextFor(model: string, unit: string) {
  return readJujuContext({
    JUJU_UNIT_NAME: unit,
    JUJU_MODEL_NAME: model,
    JUJU_MODEL_UUID: UUID,
    JUJU_CHARM_DIR: CHARM_BUILD_DIR,
  });
}

// The packed charm (build/flannel, made by the suite's global setup) against the library's steps redone
// in Python with the same primitives (library-reference.py).
describe("the cos-agent `config` the charm writes", () => {
  it.each([
    ["test", "flannel/0"],
    ["prod-east", "overlay-net/3"],
  ])("is byte for byte what the library writes (model %s, unit %s)", async (model, unit) => {
    const ours = await buildCosAgentConfig(contextFor(model, unit));
    const app = unit.split("/")[0] as string;
    const { stdout } = await run("python3", [REFERENCE, CHARM_BUILD_DIR, model, UUID, app]);
    expect(ours).toBe(stdout);
  });

  it("carries the rules with topology, the dashboard and one localhost scrape job", async () => {
    const config = JSON.parse(await buildCosAgentConfig(contextFor("test", "flannel/0")));
    expect(Object.keys(config)).toEqual([
      "metrics_alert_rules",
      "log_alert_rules",
      "dashboards",
      "subordinate",
      "metrics_scrape_jobs",
      "log_slots",
      "tracing_protocols",
    ]);
    const groups = config.metrics_alert_rules.groups;
    expect(groups.map((g: { name: string }) => g.name)).toEqual([
      "test_c2e9f4d5_flannel_flannel_rules",
      "test_c2e9f4d5_flannel_HostHealth_rules",
    ]);
    expect(groups[0].rules[1]).toMatchObject({
      alert: "FlannelPeerUnreachable",
      expr: "flannel_peer_reachable == 0",
      labels: {
        severity: "critical",
        juju_model: "test",
        juju_model_uuid: UUID,
        juju_application: "flannel",
        juju_charm: "flannel",
      },
    });
    expect(config.dashboards).toHaveLength(1);
    expect(config.metrics_scrape_jobs).toEqual(renderScrapeJobs("flannel"));
    expect(config.metrics_scrape_jobs[0].static_configs).toEqual([{ targets: ["localhost:9100"] }]);
  });
});

describe("the library's hashes", () => {
  it("BLAKE2b with a 4-byte digest matches Python's hashlib", async () => {
    const inputs = ["", "abc", "x".repeat(128), "y".repeat(300)];
    const script = `import hashlib,sys\nfor s in ${JSON.stringify(inputs)}: print(hashlib.blake2b(s.encode(), digest_size=4).hexdigest())`;
    const { stdout } = await run("python3", ["-c", script]);
    expect(inputs.map((s) => blake2bHex(Buffer.from(s), 4))).toEqual(stdout.trim().split("\n"));
  });

  it("the dashboard uid is cosl's DashboardPath40UID", () => {
    expect(dashboardUid("flannel", "src/grafana_dashboards/flannel.json")).toMatch(/^[0-9a-f]{40}$/);
  });
});
