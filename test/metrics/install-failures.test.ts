import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderInstallWarning } from "../../src/hooks/metrics-timer";
import {
  clearInstallFailures,
  parseInstallFailures,
  readInstallFailures,
  writeInstallFailures,
} from "../../src/metrics/install-failures";

const FAILURES = {
  count: 2,
  lastAt: Date.UTC(2026, 11, 6, 12, 30),
  error:
    "env DEBIAN_FRONTEND=noninteractive apt-get install -y -q prometheus-node-exporter did not finish within 120 s",
};

let dir: string;
let path: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "install-failures-test-"));
  path = join(dir, "flannel-charm", "node-exporter-install.json");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the record of failed node-exporter installs", () => {
  it("is written as stable JSON with a readable time, read back, and cleared", async () => {
    await writeInstallFailures(FAILURES, path);
    expect(await readFile(path, "utf8")).toBe(
      `{\n  "count": 2,\n  "lastAt": "2026-12-06T12:30:00.000Z",\n  "error": ${JSON.stringify(FAILURES.error)}\n}\n`,
    );
    expect(await readInstallFailures(path)).toEqual(FAILURES);
    expect(await clearInstallFailures(path)).toBe(true);
    expect(await readInstallFailures(path)).toBeUndefined();
    expect(await clearInstallFailures(path)).toBe(false);
  });

  it("reads as none when it is not a record (the install is then tried)", async () => {
    await writeInstallFailures(FAILURES, path);
    await writeFile(path, "{not json");
    expect(await readInstallFailures(path)).toBeUndefined();
    for (const text of [
      "null",
      "[]",
      '{"count": 0, "lastAt": "2026-12-06T12:30:00.000Z", "error": ""}',
      '{"count": 1.5, "lastAt": "2026-12-06T12:30:00.000Z", "error": ""}',
      '{"count": 1, "lastAt": "yesterday", "error": ""}',
      '{"count": 1, "lastAt": 1796560200000, "error": ""}',
      '{"count": 1, "lastAt": "2026-12-06T12:30:00.000Z"}',
    ])
      expect(parseInstallFailures(text), text).toBeUndefined();
  });
});

describe("renderInstallWarning", () => {
  it("names what failed, when the charm tries again and how to install the package instead", () => {
    expect(
      renderInstallWarning({
        ...FAILURES,
        count: 1,
        error: "apt-get failed (exit code 100): E: Unable to locate package prometheus-node-exporter",
      }),
    ).toBe(
      "metrics: could not install prometheus-node-exporter (attempt 1): apt-get failed (exit code 100): " +
        "E: Unable to locate package prometheus-node-exporter. The charm tries again in 10 min; the overlay " +
        "is not affected. To serve the figures sooner, install it yourself (apt-get install " +
        "prometheus-node-exporter from a mirror the machine reaches, or dpkg -i a copy of the package): it " +
        "serves the textfile the metrics timer already writes. Deleting " +
        "/var/lib/flannel-charm/node-exporter-install.json makes the next hook try again at once.",
    );
    expect(renderInstallWarning({ ...FAILURES, count: 7 })).toContain("The charm tries again in 6 h;");
  });
});
