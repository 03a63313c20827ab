import { describe, expect, it } from "vitest";
import { describeInvalidDaemonJson, mergeDaemonJson } from "../../../src/bridges/docker/daemon-json";
import type { Lease } from "../../../src/flannel/subnet-env";

const lease: Lease = { network: "10.10.0.0/16", subnet: "10.10.16.1/24", mtu: 1472, ipMasq: true };
const FRESH = '{\n  "bip": "10.10.16.1/24",\n  "mtu": 1472,\n  "ip-masq": false\n}\n';

describe("mergeDaemonJson", () => {
  it("writes bip, mtu and ip-masq when there is no file", () => {
    expect(mergeDaemonJson(undefined, lease)).toEqual({ content: FRESH });
  });

  it("treats an empty file as no settings, not as invalid", () => {
    expect(mergeDaemonJson(" \n", lease)).toEqual({ content: FRESH });
  });

  it("keeps every other key in its place and replaces the managed ones in place", () => {
    const existing =
      '{"log-driver":"journald","mtu":1500,"storage-driver":"vfs","registry-mirrors":["https://m"]}';
    expect(mergeDaemonJson(existing, lease).content).toBe(
      [
        "{",
        '  "log-driver": "journald",',
        '  "mtu": 1472,',
        '  "storage-driver": "vfs",',
        '  "registry-mirrors": [',
        '    "https://m"',
        "  ],",
        '  "bip": "10.10.16.1/24",',
        '  "ip-masq": false',
        "}",
        "",
      ].join("\n"),
    );
  });

  it("is stable: merging into its own output changes nothing", () => {
    const once = mergeDaemonJson('{"debug":true}', lease).content;
    expect(mergeDaemonJson(once, lease)).toEqual({ content: once });
  });

  it("leaves a file whose managed keys are right as the operator laid it out", () => {
    const compact = '{"log-driver":"json-file","ip-masq":false,"mtu":1472,"bip":"10.10.16.1/24"}';
    expect(mergeDaemonJson(compact, lease)).toEqual({ content: compact });
    const moved = mergeDaemonJson(compact.replace("10.10.16.1/24", "10.10.17.1/24"), lease).content;
    expect(moved).toBe(
      '{\n  "log-driver": "json-file",\n  "ip-masq": false,\n  "mtu": 1472,\n  "bip": "10.10.16.1/24"\n}\n',
    );
  });

  it("flags invalid JSON so the caller keeps it aside, and still produces valid JSON", () => {
    expect(mergeDaemonJson('{"debug": true,', lease)).toEqual({ content: FRESH, invalidExisting: true });
  });

  it("flags JSON that is not an object", () => {
    expect(mergeDaemonJson('["bip"]', lease)).toEqual({ content: FRESH, invalidExisting: true });
    expect(mergeDaemonJson("null", lease)).toEqual({ content: FRESH, invalidExisting: true });
  });
});

describe("describeInvalidDaemonJson", () => {
  it("says where the old file went and what to do", () => {
    expect(describeInvalidDaemonJson("/etc/docker/daemon.json", "/etc/docker/daemon.json.invalid")).toBe(
      "/etc/docker/daemon.json was not a JSON object; kept it as /etc/docker/daemon.json.invalid and wrote a new one with bip, mtu and ip-masq only: merge your settings from /etc/docker/daemon.json.invalid back into /etc/docker/daemon.json",
    );
  });
});
