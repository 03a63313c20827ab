import { readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";

/** Everything the launcher needs to boot one machine. */
export interface LaunchSpec {
  /** Path written by writeLauncher. */
  launcher: string;
  name: string;
  lowerDir: string;
  machineDir: string;
  netns: string;
  uuid: string;
  cgroup: string;
}

/** nspawn's exit code when the guest asked for a reboot. */
export const EXIT_REBOOT = 133;

/** One run of systemd-nspawn, from launch to exit; a reboot is a new one. */
export class NspawnProcess {
  /** Resolves with nspawn's exit code (or the signal name) once it is gone. */
  readonly exited: Promise<number | string>;
  private readonly child: ResultPromise;

  constructor(spec: LaunchSpec) {
    const args = [spec.name, spec.lowerDir, spec.machineDir, spec.netns, spec.uuid, spec.cgroup];
    const log = { file: join(spec.machineDir, "console.log"), append: true };
    // Detached: a Ctrl-C on the terminal must not reach the machines before teardown handles them.
    this.child = execa("unshare", ["--mount", "--propagation", "private", "--", spec.launcher, ...args], {
      detached: true,
      stdin: "ignore",
      stdout: log,
      stderr: log,
      reject: false,
    });
    this.exited = this.child.then((result) => result.exitCode ?? result.signal ?? "unknown");
  }

  /** PID of systemd-nspawn (the launcher script execs it). */
  get pid(): number {
    if (this.child.pid === undefined) throw new Error("systemd-nspawn did not start");
    return this.child.pid;
  }

  /** PID of the guest's init: nspawn's child in a PID namespace of its own, once it exists. */
  findLeader(): number | undefined {
    const ownPidNs = readlinkSync("/proc/self/ns/pid");
    return this.children().find((pid) => readPidNs(pid) !== ownPidNs && readPidNs(pid) !== undefined);
  }

  /** Asks nspawn for an orderly shutdown of the guest. */
  terminate(): void {
    this.child.kill("SIGTERM");
  }

  /** Kills the guest's init, which takes every process of the machine with it; nspawn then exits. */
  killGuest(): void {
    const leader = this.findLeader();
    if (leader) process.kill(leader, "SIGKILL");
    else this.child.kill("SIGKILL");
  }

  private children(): number[] {
    const path = `/proc/${this.pid}/task/${this.pid}/children`;
    try {
      return readFileSync(path, "utf8").split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }
}

function readPidNs(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}
