import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderMetricsService, renderMetricsTimer } from "../../src/metrics/units";

const OPTIONS = {
  node: "/usr/bin/node",
  charmDir: "/var/lib/juju/agents/unit-flannel-0/charm",
  unit: "flannel/0",
};

describe("metrics units", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "metrics-units-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("renders the service exactly", () => {
    expect(renderMetricsService(OPTIONS)).toBe(
      [
        "# Written by the flannel charm: local changes are overwritten.",
        "[Unit]",
        "Description=flannel overlay metrics for node-exporter's textfile collector",
        "After=flannel.service",
        "",
        "[Service]",
        "Type=oneshot",
        "ExecStart=/usr/bin/node /var/lib/juju/agents/unit-flannel-0/charm/lib/metrics.cjs --unit flannel/0",
        "Nice=10",
        "TimeoutStartSec=25s",
        "",
      ].join("\n"),
    );
  });

  it("renders the timer exactly", () => {
    expect(renderMetricsTimer()).toBe(
      [
        "# Written by the flannel charm: local changes are overwritten.",
        "[Unit]",
        "Description=Refresh flannel overlay metrics every 30 s",
        "",
        "[Timer]",
        "OnActiveSec=0",
        "OnUnitActiveSec=30s",
        "AccuracySec=1s",
        "",
        "[Install]",
        "WantedBy=timers.target",
        "",
      ].join("\n"),
    );
  });

  it("refuses a path systemd would split", () => {
    expect(() => renderMetricsService({ ...OPTIONS, charmDir: "/srv/my charm" })).toThrow(/cannot go on/);
  });

  it("passes systemd-analyze verify", async () => {
    const node = join(dir, "node");
    await writeFile(node, "#!/bin/sh\n");
    await chmod(node, 0o755);
    await writeFile(join(dir, "flannel-metrics.service"), renderMetricsService({ ...OPTIONS, node }));
    await writeFile(join(dir, "flannel-metrics.timer"), renderMetricsTimer());
    const units = ["flannel-metrics.service", "flannel-metrics.timer"].map((name) => join(dir, name));
    const result = await execa("systemd-analyze", ["verify", ...units], { reject: false, all: true });
    expect(result.all).toBe("");
    expect(result.exitCode).toBe(0);
  });
});
