import { mkdir, readFile as readHostFile, stat, symlink, writeFile as writeHostFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { clearCgroupChildren, createCgroup } from "./cgroups";
import { type LinkFaults, setLinkFaults, setPartition, setUdpCut } from "./link-faults";
import { setLinkMtu } from "./netns";
import { EXIT_REBOOT, type LaunchSpec, NspawnProcess } from "./nspawn";
import { type ExecResult, execHost, mustSucceed, waitFor } from "./run";

export interface ExecOptions {
  env?: Record<string, string>;
  stdin?: string | Uint8Array;
  cwd?: string;
  /** Default 300 s. */
  timeoutMs?: number;
  /** Run with plain nsenter instead of as a transient unit (systemd-run); needed before systemd is up. */
  direct?: boolean;
}

export interface MachineSpec extends Omit<LaunchSpec, "launcher"> {
  address: string;
  underlay: string;
}

const GUEST_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const BOOT_TIMEOUT_MS = 120_000;
const DOCKER_UNITS = ["docker.service", "docker.socket", "containerd.service"];

/** A booted Debian machine (systemd as PID 1) on the underlay. */
export class Machine {
  readonly name: string;
  readonly address: string;
  /** Milliseconds from launch to `running`/`degraded`, per boot. */
  readonly bootTimesMs: number[] = [];
  private nspawn: NspawnProcess | undefined;
  private booting: Promise<void> | undefined;
  private stopping = false;
  private starting = false;

  constructor(
    private readonly spec: MachineSpec,
    private readonly launcher: string,
  ) {
    this.name = spec.name;
    this.address = spec.address;
  }

  /** Creates the machine's disk (an empty overlay upper dir) with its hostname; `docker: false` masks Docker. */
  async prepare(options: { docker: boolean }): Promise<void> {
    const dir = this.spec.machineDir;
    for (const sub of ["upper/etc/systemd/system", "work", "root"])
      await mkdir(join(dir, sub), { recursive: true });
    await writeHostFile(join(dir, "upper/etc/hostname"), `${this.name}\n`);
    // Docker and containerd take most of the boot time; tests that do not need them boot faster without.
    if (!options.docker)
      for (const unit of DOCKER_UNITS)
        await symlink("/dev/null", join(dir, "upper/etc/systemd/system", unit));
    await createCgroup(this.spec.cgroup);
  }

  /** Boots the machine (if it is not running) and waits until systemd reports running or degraded. */
  start(): Promise<void> {
    if (!this.nspawn && !this.starting) {
      this.starting = true;
      this.booting = this.boot().finally(() => {
        this.starting = false;
      });
    }
    return this.booting ?? Promise.resolve();
  }

  /** Reboots from inside; the machine comes back with its disk. */
  async reboot(): Promise<void> {
    const current = this.requireRunning();
    await this.exec(["systemctl", "reboot"], { direct: true });
    const code = await current.exited;
    if (code !== EXIT_REBOOT)
      throw new Error(`${this.name}: expected a reboot (exit ${EXIT_REBOOT}), got ${code}`);
    await this.booting;
  }

  /** Clean shutdown; SIGKILLs the guest if it takes over 60 s. */
  async stop(): Promise<void> {
    const current = this.nspawn;
    if (!current) return;
    this.stopping = true;
    current.terminate();
    const timer = setTimeout(() => current.killGuest(), 60_000);
    await current.exited.finally(() => clearTimeout(timer));
  }

  /** Pulls the plug: no shutdown, every process of the machine dies at once. */
  async kill(): Promise<void> {
    const current = this.nspawn;
    if (!current) return;
    this.stopping = true;
    current.killGuest();
    await current.exited;
  }

  /** Runs argv inside the machine; a non-zero exit is returned, not thrown. */
  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const leader = this.requireLeader();
    const enter = ["nsenter", "-t", String(leader), "-a", "--"];
    const inner = options.direct ? directArgv(argv, options) : unitArgv(argv, options);
    return execHost([...enter, ...inner], { stdin: options.stdin, timeoutMs: options.timeoutMs ?? 300_000 });
  }

  /** Runs argv inside the machine and returns stdout; throws WorldCommandError on a non-zero exit. */
  async run(argv: readonly string[], options: ExecOptions = {}): Promise<string> {
    return mustSucceed(argv, await this.exec(argv, options));
  }

  /** Reads a text file of the machine. */
  readFile(guestPath: string): Promise<string> {
    return this.run(["cat", "--", guestPath], { direct: true });
  }

  /** Writes a file in the machine, creating its directory. */
  async writeFile(guestPath: string, content: string | Uint8Array, mode = 0o644): Promise<void> {
    const script = 'mkdir -p "$(dirname "$1")" && cat >"$1" && chmod "$2" "$1"';
    await this.run(["sh", "-c", script, "sh", guestPath, mode.toString(8)], { stdin: content, direct: true });
  }

  /** Copies a host file to guestPath, or a host directory's contents into guestPath. */
  async copyIn(hostPath: string, guestPath: string): Promise<void> {
    const info = await stat(hostPath);
    if (!info.isDirectory())
      return this.writeFile(guestPath, await readHostFile(hostPath), info.mode & 0o7777);
    const tar = await execa("tar", ["-C", hostPath, "-cf", "-", "."], { encoding: "buffer" });
    const script = 'mkdir -p "$1" && tar -xf - -C "$1"';
    await this.run(["sh", "-c", script, "sh", guestPath], { stdin: tar.stdout, direct: true });
  }

  /** Sets the MTU of the machine's underlay link (both ends). */
  setMtu(mtu: number): Promise<void> {
    return setLinkMtu({ underlay: this.spec.underlay, port: this.name, netns: this.spec.netns }, mtu);
  }

  /** Drops a share of frames or limits the rate on the machine's underlay link (no delay: no netem here). */
  setLinkFaults(faults: LinkFaults): Promise<void> {
    return setLinkFaults(this.spec.underlay, this.name, faults);
  }

  /** Drops (or lets through again) UDP to and from `udpPort` on this machine's underlay link only. */
  setUdpCut(udpPort: number, cut: boolean): Promise<void> {
    return setUdpCut(this.spec.underlay, this.name, udpPort, cut);
  }

  /** Cuts (or heals) the underlay between this machine and `other`, both ways; others still reach both. */
  partitionFrom(other: Machine, cut: boolean): Promise<void> {
    return setPartition(this.spec.underlay, this.name, other.name, cut);
  }

  /** PID of the machine's init as seen from the host, while it runs. */
  get leaderPid(): number | undefined {
    return this.nspawn?.findLeader();
  }

  private async boot(): Promise<void> {
    const started = Date.now();
    await clearCgroupChildren(this.spec.cgroup);
    this.stopping = false;
    const current = new NspawnProcess({ ...this.spec, launcher: this.launcher });
    this.nspawn = current;
    current.exited.then((code) => this.onExit(current, code));
    await waitFor(`${this.name} to boot`, BOOT_TIMEOUT_MS, () => this.probeRunning(current));
    this.bootTimesMs.push(Date.now() - started);
  }

  private onExit(exited: NspawnProcess, code: number | string): void {
    if (this.nspawn !== exited) return;
    this.nspawn = undefined;
    // The guest rebooted itself (or reboot() asked it to): boot it again on the same disk.
    if (code === EXIT_REBOOT && !this.stopping) this.booting = this.boot();
  }

  private async probeRunning(current: NspawnProcess): Promise<true | undefined> {
    if (this.nspawn !== current)
      throw new Error(`${this.name}: nspawn exited while booting; see console.log`);
    if (!current.findLeader()) return undefined;
    const result = await this.exec(["systemctl", "is-system-running"], { direct: true });
    return ["running", "degraded"].includes(result.stdout.trim()) ? true : undefined;
  }

  private requireRunning(): NspawnProcess {
    if (!this.nspawn) throw new Error(`${this.name} is not running`);
    return this.nspawn;
  }

  private requireLeader(): number {
    const leader = this.requireRunning().findLeader();
    if (!leader) throw new Error(`${this.name} has no init process yet`);
    return leader;
  }
}

/** Plain nsenter with a clean environment: the host's variables must not leak in. */
function directArgv(argv: readonly string[], options: ExecOptions): string[] {
  const env = Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${value}`);
  const cwd = options.cwd ? [`--chdir=${options.cwd}`] : [];
  return ["env", "-i", ...cwd, "--", `PATH=${GUEST_PATH}`, ...env, ...argv];
}

/** A transient unit: the command runs in its own cgroup under the machine's systemd, like a service would. */
function unitArgv(argv: readonly string[], options: ExecOptions): string[] {
  const env = Object.entries(options.env ?? {}).map(([key, value]) => `--setenv=${key}=${value}`);
  const cwd = options.cwd ? [`--working-directory=${options.cwd}`] : [];
  const flags = ["--quiet", "--pipe", "--wait", "--collect", "--service-type=exec"];
  return ["systemd-run", ...flags, ...cwd, ...env, "--", ...argv];
}
