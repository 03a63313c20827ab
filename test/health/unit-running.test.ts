import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Run } from "../../src/bridges/programs";
import { isUnitRunning, unitStartedUs } from "../../src/health/unit-running";

let dir: string;
let calls: string[];

const systemctlSays =
  (answer: string): Run =>
  async (file, args) => {
    calls.push([file, ...args].join(" "));
    return { exitCode: answer === "active" ? 0 : 3, stdout: `${answer}\n` };
  };

/** A fake /proc/1 (comm, cgroup) and a cgroup tree under dir; returns the probe options. */
async function layout(comm: string, cgroup: string, procs: Record<string, string>) {
  const base = await mkdtemp(join(dir, "layout-"));
  await mkdir(join(base, "proc1"), { recursive: true });
  await writeFile(join(base, "proc1/comm"), `${comm}\n`);
  await writeFile(join(base, "proc1/cgroup"), cgroup);
  for (const [path, content] of Object.entries(procs)) {
    await mkdir(join(base, "root", path), { recursive: true });
    await writeFile(join(base, "root", path, "cgroup.procs"), content);
  }
  return { initProc: join(base, "proc1"), cgroupRoot: join(base, "root") };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "unit-running-test-"));
  calls = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("isUnitRunning", () => {
  it("reads a unified (v2) hierarchy without spawning systemctl", async () => {
    const probe = await layout("systemd", "0::/init.scope\n", {
      "sys/fs/cgroup/system.slice/flannel.service": "412\n",
    });
    expect(await isUnitRunning("flannel", systemctlSays("inactive"), probe)).toBe(true);
    expect(calls).toEqual([]);
  });

  it("reads hybrid and legacy layouts, below a container's own cgroup", async () => {
    const probe = await layout(
      "systemd",
      "1:name=systemd:/machine/m1/init.scope\n0::/machine/m1/init.scope\n",
      {
        "sys/fs/cgroup/unified/machine/m1/system.slice/flannel.service": "412\n",
      },
    );
    expect(await isUnitRunning("flannel.service", systemctlSays("inactive"), probe)).toBe(true);
    const legacy = await layout("systemd", "1:name=systemd:/init.scope\n", {
      "sys/fs/cgroup/systemd/system.slice/other.service": "7\n",
    });
    expect(await isUnitRunning("flannel", systemctlSays("active"), legacy)).toBe(false);
    expect(calls).toEqual([]);
  });

  it("says not running for an empty cgroup (between a crash and the restart)", async () => {
    const probe = await layout("systemd", "0::/init.scope\n", {
      "sys/fs/cgroup/system.slice/flannel.service": "",
    });
    expect(await isUnitRunning("flannel", systemctlSays("active"), probe)).toBe(false);
  });

  it("asks systemctl when PID 1 is not systemd or no system.slice is found", async () => {
    const notSystemd = await layout("init", "0::/\n", { "sys/fs/cgroup/system.slice": "" });
    expect(await isUnitRunning("flannel", systemctlSays("active"), notSystemd)).toBe(true);
    const noSlice = await layout("systemd", "0::/init.scope\n", {});
    expect(await isUnitRunning("flannel", systemctlSays("inactive"), noSlice)).toBe(false);
    expect(calls).toEqual(["systemctl is-active flannel", "systemctl is-active flannel"]);
  });
});

describe("unitStartedUs", () => {
  it("reads the start of the unit's process from /proc/PID/stat, without systemctl", async () => {
    const probe = await layout("systemd", "0::/init.scope\n", {
      "sys/fs/cgroup/system.slice/flannel.service": "412\n",
    });
    const procRoot = join(dir, "proc");
    await mkdir(join(procRoot, "412"), { recursive: true });
    // A command name with a space and a parenthesis must not shift the fields; field 22 is 123456 ticks.
    const fields = ["S", ...Array.from({ length: 18 }, (_, i) => String(i)), "123456", "0"];
    await writeFile(join(procRoot, "412/stat"), `412 (flan) neld) ${fields.join(" ")}\n`);
    expect(await unitStartedUs("flannel", systemctlSays("inactive"), { ...probe, procRoot })).toBe(
      1_234_560_000,
    );
    expect(calls).toEqual([]);
  });

  it("is undefined when the unit has no process, and asks systemctl where PID 1 is not systemd", async () => {
    const empty = await layout("systemd", "0::/init.scope\n", {
      "sys/fs/cgroup/system.slice/flannel.service": "",
    });
    expect(await unitStartedUs("flannel", systemctlSays("inactive"), empty)).toBeUndefined();
    const other = await layout("bash", "0::/\n", {});
    const run: Run = async (file, args) => {
      calls.push([file, ...args].join(" "));
      return { exitCode: 0, stdout: "987654\n" };
    };
    expect(await unitStartedUs("flannel", run, other)).toBe(987654);
    expect(calls).toEqual(["systemctl show -p ExecMainStartTimestampMonotonic --value flannel"]);
  });
});
