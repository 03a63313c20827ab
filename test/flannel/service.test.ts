import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ensureIpForward,
  ensureService,
  hasLostLeaseFile,
  isServiceActive,
  LEASE_FILE_GRACE_US,
  removeService,
  restoreIpForward,
  ServiceStartError,
  SYSCTL_PATH,
  stopService,
  UNIT_PATH,
  waitForLease,
} from "../../src/flannel/service";
import { readFileIfExists, writeFileAtomic } from "../../src/fs/atomic";
import { FakeTools } from "../juju/fake-tools";

const SUBNET_ENV =
  "FLANNEL_NETWORK=10.10.0.0/16\nFLANNEL_SUBNET=10.10.16.1/24\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=true\n";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flannel-service-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("waitForLease", () => {
  it("returns the lease already there", async () => {
    await writeFile(join(dir, "subnet.env"), SUBNET_ENV);
    expect(await waitForLease(1000, join(dir, "subnet.env"))).toEqual({
      ok: true,
      lease: { network: "10.10.0.0/16", subnet: "10.10.16.1/24", mtu: 1472, ipMasq: true },
    });
  });

  it("returns the lease flanneld writes while waiting", async () => {
    const path = join(dir, "flannel", "subnet.env");
    await mkdir(join(dir, "flannel"));
    setTimeout(() => void writeFileAtomic(path, SUBNET_ENV), 300);
    expect((await waitForLease(10_000, path))?.ok).toBe(true);
  });

  it("gives up with undefined when no lease appears, also without the directory", async () => {
    expect(await waitForLease(300, join(dir, "subnet.env"))).toBeUndefined();
    expect(await waitForLease(300, join(dir, "missing-dir", "subnet.env"))).toBeUndefined();
  });

  it("reports a malformed file as a problem, not a crash", async () => {
    await writeFile(join(dir, "subnet.env"), "FLANNEL_SUBNET=$(reboot)\n");
    const result = await waitForLease(300, join(dir, "subnet.env"));
    expect(result?.ok).toBe(false);
  });
});

describe("hasLostLeaseFile", () => {
  const startedAt = async () => 1_000_000;
  const later = () => 1_000_000 + LEASE_FILE_GRACE_US + 1;

  it("says lost when a flanneld running past the grace has no subnet.env (rm -rf /run/flannel)", async () => {
    expect(await hasLostLeaseFile(join(dir, "gone", "subnet.env"), startedAt, later)).toBe(true);
  });

  it("not while flanneld is young, not when it is stopped, not when the file is there", async () => {
    const path = join(dir, "subnet.env");
    expect(await hasLostLeaseFile(path, startedAt, () => 1_000_000 + 1)).toBe(false);
    expect(await hasLostLeaseFile(path, async () => undefined, later)).toBe(false);
    await writeFile(path, SUBNET_ENV);
    expect(await hasLostLeaseFile(path, startedAt, later)).toBe(false);
  });
});

describe("ensureIpForward", () => {
  it("persists the sysctl and sets the live value once", async () => {
    expect(SYSCTL_PATH).toBe("/etc/sysctl.d/60-flannel.conf");
    const sysctl = join(dir, "60-flannel.conf");
    const proc = join(dir, "ip_forward");
    const before = join(dir, "ip_forward.before");
    await writeFile(proc, "0\n");
    expect(await ensureIpForward(sysctl, proc, before)).toBe(true);
    expect(await readFile(sysctl, "utf8")).toBe("# Written by the flannel charm.\nnet.ipv4.ip_forward = 1\n");
    expect((await readFile(proc, "utf8")).trim()).toBe("1");
    expect(await ensureIpForward(sysctl, proc, before)).toBe(false);
  });

  it("defect 9: remembers the value from before the charm and puts it back on restore, removing the sysctl file", async () => {
    const sysctl = join(dir, "60-flannel.conf");
    const proc = join(dir, "ip_forward");
    const before = join(dir, "state/ip_forward.before");
    await writeFile(proc, "0\n");
    await ensureIpForward(sysctl, proc, before);
    await ensureIpForward(sysctl, proc, before);
    expect((await readFile(proc, "utf8")).trim()).toBe("1");
    expect(await restoreIpForward(sysctl, proc, before)).toBe(true);
    expect((await readFile(proc, "utf8")).trim()).toBe("0");
    expect(await readFileIfExists(sysctl)).toBeUndefined();
    expect(await readFileIfExists(before)).toBeUndefined();
    expect(await restoreIpForward(sysctl, proc, before)).toBe(false);
  });

  it("defect 9: leaves forwarding on when it was on before the charm", async () => {
    const sysctl = join(dir, "60-flannel.conf");
    const proc = join(dir, "ip_forward");
    const before = join(dir, "ip_forward.before");
    await writeFile(proc, "1\n");
    await ensureIpForward(sysctl, proc, before);
    expect(await restoreIpForward(sysctl, proc, before)).toBe(true);
    expect((await readFile(proc, "utf8")).trim()).toBe("1");
    expect(await readFileIfExists(sysctl)).toBeUndefined();
  });
});

describe("ensureService with a recording systemctl", () => {
  let tools: FakeTools;
  beforeEach(async () => {
    tools = await FakeTools.create();
    await tools.add("systemctl");
  });
  afterEach(async () => {
    await tools.dispose();
  });

  it("reloads and restarts on a new unit, only starts an unchanged one, restarts on request", async () => {
    expect(UNIT_PATH).toBe("/etc/systemd/system/flannel.service");
    const unitPath = join(dir, "flannel.service");
    expect(await ensureService("unit v1\n", { unitPath })).toBe(true);
    expect(await ensureService("unit v1\n", { unitPath })).toBe(false);
    expect(await ensureService("unit v1\n", { unitPath, restart: true })).toBe(true);
    expect(await readFile(unitPath, "utf8")).toBe("unit v1\n");
    expect(await tools.calls()).toEqual([
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", "flannel.service"],
      ["systemctl", "restart", "flannel.service"],
      ["systemctl", "enable", "flannel.service"],
      ["systemctl", "start", "flannel.service"],
      // defect 2: a restart on request reloads first, since the reload of an earlier hook may have timed out.
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", "flannel.service"],
      ["systemctl", "restart", "flannel.service"],
    ]);
  });

  it("a start systemd refuses (flanneld crashed) is a ServiceStartError naming the action", async () => {
    const unitPath = join(dir, "flannel.service");
    const failsToStart =
      '#!/bin/sh\ncase "$1" in start|restart) echo "Job for flannel.service failed." >&2; exit 1;; esac\n';
    await writeFile(join(tools.dir, "systemctl"), failsToStart, { mode: 0o755 });
    const failure = ensureService("unit v1\n", { unitPath });
    await expect(failure).rejects.toBeInstanceOf(ServiceStartError);
    await expect(failure).rejects.toThrow(/^systemctl restart flannel.service failed: /);
  });

  it("stops, disables and removes the unit; does nothing without one", async () => {
    const unitPath = join(dir, "flannel.service");
    await stopService(unitPath);
    expect(await removeService(unitPath)).toBe(false);
    expect(await tools.calls()).toEqual([]);
    await writeFile(unitPath, "unit\n");
    await stopService(unitPath);
    expect(await removeService(unitPath)).toBe(true);
    expect(await tools.calls()).toEqual([
      ["systemctl", "stop", "flannel.service"],
      ["systemctl", "disable", "--now", "flannel.service"],
      ["systemctl", "daemon-reload"],
    ]);
  });

  it("isServiceActive follows systemctl is-active's exit code", async () => {
    expect(await isServiceActive()).toBe(true);
    await tools.add("systemctl", { exitCode: 3 });
    expect(await isServiceActive()).toBe(false);
    expect((await tools.calls())[0]).toEqual(["systemctl", "is-active", "--quiet", "flannel.service"]);
  });
});
