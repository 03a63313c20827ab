import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ProgramError } from "../../src/bridges/programs";
import { describeAptFailure, renderInstallWarning } from "../../src/hooks/metrics-timer";
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
  it("says when the charm tries again, how to install the package instead, and last what failed", () => {
    const error =
      "apt-get install failed (exit code 100): E: Unable to locate package prometheus-node-exporter";
    expect(renderInstallWarning({ ...FAILURES, count: 1, error })).toBe(
      "metrics: prometheus-node-exporter could not be installed (attempt 1); the charm tries again in 10 min, " +
        "and the overlay is not affected. To serve the figures sooner, install it yourself (apt-get install " +
        "prometheus-node-exporter from a mirror the machine reaches, or dpkg -i a copy of the package): it " +
        "serves the textfile the metrics timer already writes; deleting " +
        "/var/lib/flannel-charm/node-exporter-install.json makes the next hook try again at once. What " +
        `failed: ${error}`,
    );
    expect(renderInstallWarning({ ...FAILURES, count: 4 })).toContain("tries again in 80 min,");
    expect(renderInstallWarning({ ...FAILURES, count: 7 })).toContain("tries again in 6 h,");
  });
});

describe("describeAptFailure", () => {
  const command = "env DEBIAN_FRONTEND=noninteractive apt-get install -y -q prometheus-node-exporter";
  const failed = (stderr: string, timedOut = false) =>
    new ProgramError(command, timedOut, timedOut ? undefined : 100, stderr, `${command} failed: last line`);

  it("names apt's first error line, which says what failed", () => {
    const stderr = [
      "W: an unrelated warning",
      "E: Failed to fetch http://deb.debian.org/debian/pool/main/p/x.deb  Could not resolve 'deb.debian.org'",
      "E: Unable to fetch some archives, maybe run apt-get update or try with --fix-missing?",
      "",
    ].join("\n");
    expect(describeAptFailure(failed(stderr))).toBe(
      `${command} failed (exit code 100): E: Failed to fetch http://deb.debian.org/debian/pool/main/p/x.deb  Could not resolve 'deb.debian.org'`,
    );
  });

  it("keeps the error's own message when apt printed no error line or ran out of time", () => {
    expect(describeAptFailure(failed("W: only a warning\n"))).toBe(`${command} failed: last line`);
    expect(describeAptFailure(failed("E: Failed to fetch\n", true))).toBe(`${command} failed: last line`);
    expect(describeAptFailure(new Error("spawn env ENOENT"))).toBe("spawn env ENOENT");
  });
});
