import { chmod, cp, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DemoOptionError, parseDemoArgs, USAGE } from "../../scripts/demo-options.mjs";

const REPO = resolve(import.meta.dirname, "../..");

describe("the demo's options", () => {
  it("defaults to 3 machines, lxc, the classic etcd relation, not kept", () => {
    expect(parseDemoArgs([])).toEqual({
      command: "run",
      machines: 3,
      containers: "lxc",
      etcd: "classic",
      keep: false,
    });
    expect(parseDemoArgs(["--machines=20", "--containers", "docker", "--etcd", "charmed", "--keep"])).toEqual(
      {
        command: "run",
        machines: 20,
        containers: "docker",
        etcd: "charmed",
        keep: true,
      },
    );
    expect(parseDemoArgs(["status"])).toEqual({ command: "status" });
    expect(parseDemoArgs(["--machines", "0", "-h"])).toEqual({ command: "help" });
  });

  it.each([
    [["--machines", "0"], "--machines must be a whole number from 2 to 20; got '0'"],
    [["--machines", "21"], "--machines must be a whole number from 2 to 20; got '21'"],
    [["--machines", "2.5"], "--machines must be a whole number from 2 to 20; got '2.5'"],
    [["--machines", "three"], "--machines must be a whole number from 2 to 20; got 'three'"],
    [["--containers", "lxd"], "--containers must be lxc or docker; got 'lxd'"],
    [["--etcd", "etcd3"], "--etcd must be classic or charmed; got 'etcd3'"],
    [["--bogus"], "unknown option '--bogus'"],
    [["stauts"], "unknown command 'stauts' (the only command is 'status')"],
    [["status", "--keep"], "'status' takes no options (got --keep)"],
  ])("refuses %j naming the option, the value and what is allowed", (argv, message) => {
    expect(() => parseDemoArgs(argv)).toThrow(new DemoOptionError(message));
  });

  it("names the allowed range in --help", () => {
    expect(USAGE).toContain(
      "--machines N          how many machines, a whole number from 2 to 20 (default 3)",
    );
    expect(USAGE).toContain("--containers TYPE     lxc or docker (default lxc)");
  });
});

describe("scripts/demo checks options before setup, pack or bundling", () => {
  let repo: string;
  let marks: string;
  let fakeBin: string;

  beforeAll(async () => {
    // A copy of the two files the check needs, with setup and npm replaced by recorders.
    repo = await mkdtemp(join(tmpdir(), "demo-options-test-"));
    marks = join(repo, "marks");
    fakeBin = join(repo, "bin");
    await mkdir(join(repo, "scripts"), { recursive: true });
    await mkdir(marks);
    await mkdir(fakeBin);
    for (const file of ["demo", "demo-options.mjs"])
      await cp(join(REPO, "scripts", file), join(repo, "scripts", file));
    await writeFile(join(repo, "scripts/setup"), `touch ${marks}/setup\nexit 1\n`);
    await writeFile(join(fakeBin, "npm"), `#!/bin/sh\ntouch ${marks}/npm\nexit 1\n`);
    await chmod(join(fakeBin, "npm"), 0o755);
  });
  afterAll(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  async function demo(...argv: string[]) {
    await rm(marks, { recursive: true, force: true });
    await mkdir(marks);
    const env = { PATH: `${fakeBin}:${process.env.PATH}` };
    const result = await execa("bash", [join(repo, "scripts/demo"), ...argv], { reject: false, env });
    return { ...result, ran: await readdir(marks) };
  }

  it("answers --machines 0 with the range, exit 2, and runs nothing", async () => {
    const result = await demo("--machines", "0");
    expect(result.stderr).toBe(
      "demo: --machines must be a whole number from 2 to 20; got '0'\nrun 'npm run demo -- --help' for the options",
    );
    expect(result.stdout).toBe("");
    expect(result.exitCode).toBe(2);
    expect(result.ran).toEqual([]);
  });

  it("prints --help and exits 0, running nothing", async () => {
    const result = await demo("--help");
    expect(result.stdout).toBe(USAGE.trimEnd());
    expect(result.exitCode).toBe(0);
    expect(result.ran).toEqual([]);
  });

  it("runs setup with valid options (so the checks above would see it)", async () => {
    const result = await demo("--machines", "2");
    expect(result.ran).toEqual(["setup"]);
    expect(result.exitCode).not.toBe(0);
  });
});
