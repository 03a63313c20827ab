import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensureLxcBridge, type LxcPaths, restoreLxcBridge } from "../../../src/bridges/lxc/apply";
import { renderLxcNet } from "../../../src/bridges/lxc/lxc-net";
import type { Lease } from "../../../src/flannel/subnet-env";
import { readFileIfExists } from "../../../src/fs/atomic";

const lease: Lease = { network: "10.10.0.0/16", subnet: "10.10.16.1/24", mtu: 1472, ipMasq: true };
const DEBIAN_LXC_NET = 'USE_LXC_BRIDGE="true"\n';
const DEBIAN_DEFAULT_CONF = "lxc.net.0.type = veth\nlxc.net.0.link = lxcbr0\nlxc.net.0.flags = up\n";

let dir: string;
let paths: LxcPaths;
let calls: string[];
let lxcNetAtStop: (string | undefined)[];

let lxcNetActive: boolean;

const exec = async (file: string, args: readonly string[]) => {
  calls.push([file, ...args].join(" "));
  if (args[0] === "stop") lxcNetAtStop.push(await readFileIfExists(paths.lxcNet));
};
const run = async (file: string, args: readonly string[]) => {
  calls.push([file, ...args].join(" "));
  return { exitCode: lxcNetActive ? 0 : 3, stdout: "" };
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "lxc-apply-test-"));
  paths = {
    lxcNet: join(dir, "etc/default/lxc-net"),
    defaultConf: join(dir, "etc/lxc/default.conf"),
    dropIn: join(dir, "etc/systemd/system/lxc-net.service.d/flannel.conf"),
    backupRoot: join(dir, "backups"),
  };
  await mkdir(join(dir, "etc/default"), { recursive: true });
  await mkdir(join(dir, "etc/lxc"), { recursive: true });
  await writeFile(paths.lxcNet, DEBIAN_LXC_NET);
  await writeFile(paths.defaultConf, DEBIAN_DEFAULT_CONF);
  calls = [];
  lxcNetAtStop = [];
  lxcNetActive = true;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const RESTART = ["systemctl stop lxc-net", "systemctl daemon-reload", "systemctl start lxc-net"];

describe("ensureLxcBridge", () => {
  it("writes the three files and restarts lxc-net once; a second run changes and restarts nothing", async () => {
    expect(await ensureLxcBridge(lease, true, { paths, exec, run })).toBe(true);
    expect(calls).toEqual(RESTART);
    expect(await readFile(paths.lxcNet, "utf8")).toBe(renderLxcNet(DEBIAN_LXC_NET, lease));
    expect(await readFile(paths.defaultConf, "utf8")).toContain("lxc.net.0.mtu = 1472\n");
    expect(await readFile(paths.dropIn, "utf8")).toContain("-s 10.10.16.0/24 -d 10.10.0.0/16");
    calls = [];
    expect(await ensureLxcBridge(lease, true, { paths, exec, run })).toBe(false);
    expect(calls).toEqual(["systemctl is-active --quiet lxc-net"]);
  });

  it("reconciles an lxc-net edited by hand, keeps the operator's other keys and warns", async () => {
    const warnings: string[] = [];
    const warn = (message: string) => {
      warnings.push(message);
    };
    expect(await ensureLxcBridge(lease, true, { paths, exec, run, warn })).toBe(true);
    expect(warnings).toEqual([]);
    const edited = (await readFile(paths.lxcNet, "utf8")).replace(/^LXC_ADDR=.*$/m, 'LXC_ADDR="10.0.3.1"');
    await writeFile(paths.lxcNet, `${edited}LXC_DOMAIN="lxc"\n`);
    expect(await ensureLxcBridge(lease, true, { paths, exec, run, warn })).toBe(true);
    const text = await readFile(paths.lxcNet, "utf8");
    expect(text).toContain('LXC_DOMAIN="lxc"');
    expect(text).toContain('LXC_ADDR="10.10.16.1"');
    expect(warnings).toEqual([
      `${paths.lxcNet} differed from the flannel lease's settings: rewrote the charm's lines, kept the others`,
    ]);
  });

  it("defect 6: starts lxc-net again when an earlier start failed or timed out after the files were written", async () => {
    await ensureLxcBridge(lease, true, { paths, exec, run });
    lxcNetActive = false;
    calls = [];
    expect(await ensureLxcBridge(lease, true, { paths, exec, run })).toBe(true);
    expect(calls).toEqual(["systemctl is-active --quiet lxc-net", "systemctl start lxc-net"]);
  });

  it("stops lxc-net before the files change, so it removes the old subnet's rules", async () => {
    await ensureLxcBridge(lease, true, { paths, exec, run });
    const before = await readFile(paths.lxcNet, "utf8");
    lxcNetAtStop = [];
    expect(await ensureLxcBridge({ ...lease, subnet: "10.10.17.1/24" }, true, { paths, exec, run })).toBe(
      true,
    );
    expect(lxcNetAtStop).toEqual([before]);
    expect(await readFile(paths.lxcNet, "utf8")).toContain('LXC_NETWORK="10.10.17.0/24"');
  });

  it("defect 6: starts lxc-net again when a change throws after lxc-net was stopped", async () => {
    await writeFile(join(dir, "not-a-dir"), "");
    const broken = { ...paths, backupRoot: join(dir, "not-a-dir/backups") };
    await expect(ensureLxcBridge(lease, true, { paths: broken, exec, run })).rejects.toThrow(/ENOTDIR/);
    expect(calls).toEqual(RESTART);
  });

  it("restarts when only ip-masq changes", async () => {
    await ensureLxcBridge(lease, true, { paths, exec, run });
    calls = [];
    expect(await ensureLxcBridge(lease, false, { paths, exec, run })).toBe(true);
    expect(calls).toEqual(RESTART);
  });
});

describe("restoreLxcBridge", () => {
  it("puts the originals back, removes the drop-in the charm added, and restarts lxc-net", async () => {
    await ensureLxcBridge(lease, true, { paths, exec, run });
    await ensureLxcBridge({ ...lease, subnet: "10.10.17.1/24" }, true, { paths, exec, run });
    calls = [];
    expect(await restoreLxcBridge({ paths, exec, run })).toBe(true);
    expect(calls).toEqual(RESTART);
    expect(await readFile(paths.lxcNet, "utf8")).toBe(DEBIAN_LXC_NET);
    expect(await readFile(paths.defaultConf, "utf8")).toBe(DEBIAN_DEFAULT_CONF);
    expect(await readFileIfExists(paths.dropIn)).toBeUndefined();
    calls = [];
    expect(await restoreLxcBridge({ paths, exec, run })).toBe(false);
    expect(calls).toEqual([]);
  });
});
