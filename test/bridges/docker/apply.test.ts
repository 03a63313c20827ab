import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type DockerOptions,
  ensureDockerBridge,
  restoreDockerBridge,
} from "../../../src/bridges/docker/apply";
import type { Lease } from "../../../src/flannel/subnet-env";
import { readFileIfExists } from "../../../src/fs/atomic";

const lease: Lease = { network: "10.10.0.0/16", subnet: "10.10.16.1/24", mtu: 1472, ipMasq: true };
const FRESH = '{\n  "bip": "10.10.16.1/24",\n  "mtu": 1472,\n  "ip-masq": false\n}\n';

let dir: string;
let path: string;
let calls: string[];
let warnings: string[];
let docker0: string | undefined;

const ipAddr = (address: string, prefixlen = 16, mtu = 1500) =>
  JSON.stringify([{ ifname: "docker0", mtu, addr_info: [{ family: "inet", local: address, prefixlen }] }]);

function options(): DockerOptions {
  return {
    daemonJsonPath: path,
    dropInPath: join(dir, "etc/systemd/system/docker.service.d/flannel.conf"),
    backupRoot: join(dir, "backups"),
    exec: async (file, args) => {
      calls.push([file, ...args].join(" "));
    },
    run: async (file, args) => {
      expect([file, ...args]).toEqual(["ip", "-j", "addr", "show", "dev", "docker0"]);
      return docker0 === undefined ? { exitCode: 1, stdout: "" } : { exitCode: 0, stdout: docker0 };
    },
    warn: (message) => {
      warnings.push(message);
    },
  };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "docker-apply-test-"));
  path = join(dir, "etc/docker/daemon.json");
  calls = [];
  warnings = [];
  docker0 = undefined;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const RESTART = [
  "systemctl stop docker.socket docker.service",
  "systemctl reset-failed docker.service",
  "systemctl start docker.service",
];
const RESTART_DELETING = [RESTART[0], "ip link delete docker0", ...RESTART.slice(1)];
const DROP_IN =
  "# Managed by the flannel charm: docker0 gets the flannel lease's MTU even before a container attaches.\n" +
  "[Service]\nTimeoutStartSec=300\nExecStartPost=/usr/sbin/ip link set dev docker0 mtu 1472\n";

describe("ensureDockerBridge", () => {
  it("defect 6: writes daemon.json and the MTU drop-in (bounding docker's start) and restarts docker once; a second run restarts nothing", async () => {
    expect(await ensureDockerBridge(lease, options())).toBe(true);
    expect(await readFile(path, "utf8")).toBe(FRESH);
    expect(await readFile(options().dropInPath ?? "", "utf8")).toBe(DROP_IN);
    expect(calls).toEqual(["systemctl daemon-reload", ...RESTART]);
    calls = [];
    docker0 = ipAddr("10.10.16.1", 24, 1472);
    expect(await ensureDockerBridge(lease, options())).toBe(false);
    expect(calls).toEqual([]);
  });

  it("deletes a docker0 left on an old address while docker is stopped", async () => {
    await mkdir(join(dir, "etc/docker"), { recursive: true });
    await writeFile(path, FRESH);
    docker0 = ipAddr("172.17.0.1");
    expect(await ensureDockerBridge(lease, options())).toBe(true);
    expect(calls).toEqual(["systemctl daemon-reload", ...RESTART_DELETING]);
  });

  it("sets docker0's MTU without restarting docker when only the MTU is wrong", async () => {
    await ensureDockerBridge(lease, options());
    docker0 = ipAddr("10.10.16.1", 24, 1500);
    calls = [];
    expect(await ensureDockerBridge(lease, options())).toBe(true);
    expect(calls).toEqual(["ip link set dev docker0 mtu 1472"]);
  });

  it("a daemon.json edited by hand since the charm wrote it: bip and mtu back, the operator's keys and mode kept, a warning", async () => {
    await ensureDockerBridge(lease, options());
    docker0 = ipAddr("10.10.16.1", 24, 1472);
    const edited = { bip: "10.10.99.1/24", mtu: 1400, "ip-masq": false, "log-driver": "json-file" };
    await writeFile(path, JSON.stringify(edited));
    await chmod(path, 0o640);
    calls = [];
    expect(await ensureDockerBridge(lease, options())).toBe(true);
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ ...edited, bip: "10.10.16.1/24", mtu: 1472 });
    expect((await stat(path)).mode & 0o777).toBe(0o640);
    expect(calls).toEqual(RESTART);
    expect(warnings).toEqual([
      `${path} differed from the flannel lease's settings: rewrote bip, mtu and ip-masq, kept the other keys, restarted docker`,
    ]);
  });

  it("keeps invalid JSON aside with a message and never overwrites an earlier one", async () => {
    await mkdir(join(dir, "etc/docker"), { recursive: true });
    await writeFile(join(dir, "etc/docker/daemon.json.invalid"), "older\n");
    await writeFile(path, '{"debug": true,');
    expect(await ensureDockerBridge(lease, options())).toBe(true);
    expect(await readFile(path, "utf8")).toBe(FRESH);
    expect(await readFile(`${path}.invalid.1`, "utf8")).toBe('{"debug": true,');
    expect(await readFile(`${path}.invalid`, "utf8")).toBe("older\n");
    expect(warnings).toEqual([
      `${path} was not a JSON object; kept it as ${path}.invalid.1 and wrote a new one with bip, mtu and ip-masq only: merge your settings from ${path}.invalid.1 back into ${path}`,
    ]);
  });
});

describe("restoreDockerBridge", () => {
  it("puts the original back and restarts docker, recreating docker0", async () => {
    await mkdir(join(dir, "etc/docker"), { recursive: true });
    await writeFile(path, '{"bip":"192.168.5.1/24"}');
    await ensureDockerBridge(lease, options());
    docker0 = ipAddr("10.10.16.1", 24);
    calls = [];
    expect(await restoreDockerBridge(options())).toBe(true);
    expect(await readFile(path, "utf8")).toBe('{"bip":"192.168.5.1/24"}');
    expect(await readFileIfExists(options().dropInPath ?? "")).toBeUndefined();
    expect(calls).toEqual(["systemctl daemon-reload", ...RESTART_DELETING]);
  });

  it("starts docker once on docker0's address from before the charm when the original sets no bip", async () => {
    await mkdir(join(dir, "etc/docker"), { recursive: true });
    await writeFile(path, '{"debug":true}');
    docker0 = ipAddr("172.17.0.1");
    await ensureDockerBridge(lease, options());
    docker0 = ipAddr("10.10.16.1", 24);
    const seen: string[] = [];
    const base = options();
    const spying: DockerOptions = {
      ...base,
      exec: async (file, args) => {
        if (args.includes("start")) seen.push(await readFile(path, "utf8"));
        await base.exec?.(file, args);
      },
    };
    calls = [];
    expect(await restoreDockerBridge(spying)).toBe(true);
    expect(seen).toEqual(['{\n  "debug": true,\n  "bip": "172.17.0.1/16"\n}\n']);
    expect(await readFile(path, "utf8")).toBe('{"debug":true}');
    expect(calls).toEqual(["systemctl daemon-reload", ...RESTART_DELETING]);
  });

  it("removes a daemon.json the charm created", async () => {
    await ensureDockerBridge(lease, options());
    expect(await restoreDockerBridge(options())).toBe(true);
    expect(await readFileIfExists(path)).toBeUndefined();
    calls = [];
    expect(await restoreDockerBridge(options())).toBe(false);
    expect(calls).toEqual([]);
  });
});
