import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { attachToUnderlay, createNetns, UNDERLAY_PREFIX } from "./netns";
import { type ExecResult, execHost, runHost, waitFor } from "./run";
import { createTls, readTlsClient, type TlsClient, type TlsFiles } from "./tls";

export const ETCD_ADDRESS = `${UNDERLAY_PREFIX}.2`;

export interface EtcdOptions {
  tls?: boolean;
  /** 1 (default) or 3: a 3-member cluster at .2, .3 and .4 of the underlay, for member-loss faults. */
  members?: 1 | 3;
}

interface Member {
  name: string;
  address: string;
  process?: ResultPromise;
}

/** Debian's etcd (v3 API) alone in its own namespace on the underlay, stoppable for fault tests. */
export class Etcd {
  /** The client URL of the first member (the only one without a cluster). */
  readonly endpoint: string;
  /** Client URLs of every member. */
  readonly endpoints: string[];
  /** Client CA, cert and key (PEM) when started with tls, else undefined. */
  tls: TlsClient | undefined;
  private tlsFiles: TlsFiles | undefined;
  private readonly members: Member[];

  constructor(
    private readonly netns: string,
    private readonly dir: string,
    private readonly useTls: boolean,
    memberCount = 1,
  ) {
    const addresses = Array.from({ length: memberCount }, (_, i) => `${UNDERLAY_PREFIX}.${2 + i}`);
    this.members = addresses.map((address, i) => ({
      name: memberCount === 1 ? "world" : `e${i + 1}`,
      address,
    }));
    this.endpoints = addresses.map((address) => `${useTls ? "https" : "http"}://${address}:2379`);
    this.endpoint = this.endpoints[0] as string;
  }

  /** Creates the namespace, plugs it into the underlay and starts etcd. */
  static async create(underlay: string, netns: string, dir: string, options: EtcdOptions): Promise<Etcd> {
    const etcd = new Etcd(netns, dir, options.tls === true, options.members ?? 1);
    await createNetns(netns);
    await attachToUnderlay({ underlay, port: "etcd", netns, address: ETCD_ADDRESS });
    for (const member of etcd.members.slice(1))
      await runHost(["ip", "-n", netns, "addr", "add", `${member.address}/24`, "dev", "eth0"]);
    if (etcd.useTls) await etcd.makeCerts();
    await etcd.start();
    return etcd;
  }

  /** PID of the running etcd (the first running member), if any. */
  get pid(): number | undefined {
    return this.pids[0];
  }

  /** PIDs of every running member. */
  get pids(): number[] {
    return this.members.flatMap((m) => (m.process?.pid === undefined ? [] : [m.process.pid]));
  }

  /** Member names, e.g. ["e1", "e2", "e3"] for a cluster. */
  get memberNames(): string[] {
    return this.members.map((m) => m.name);
  }

  /** Starts every member that is not running (on its existing data dir) and waits until all answer. */
  async start(): Promise<void> {
    const stopped = this.members.filter((m) => !m.process);
    if (stopped.length === 0) return;
    for (const member of stopped) await this.spawn(member);
    await waitFor("etcd to answer", 30_000, async () => {
      const exited = stopped.find((m) => !m.process);
      if (exited) throw new Error(`etcd ${exited.name} exited; see ${join(this.dir, "etcd.log")}`);
      return (await this.etcdctl(["endpoint", "health"])).exitCode === 0 ? true : undefined;
    });
  }

  /** Stops every member (SIGTERM, then SIGKILL after 10 s) and waits for them to exit. */
  async stop(): Promise<void> {
    await Promise.all(this.members.map((m) => this.stopMember(m, "SIGTERM")));
  }

  /** Kills one member with SIGKILL, as a crashed machine would lose it. */
  async killMember(name: string): Promise<void> {
    await this.stopMember(this.member(name), "SIGKILL");
  }

  /** Stops and starts each member in turn, waiting for the cluster to answer in between (no quorum loss). */
  async restartMembersOneByOne(): Promise<void> {
    for (const member of this.members) {
      await this.stopMember(member, "SIGTERM");
      await this.start();
    }
  }

  /** Paths of the TLS files (the trusted-CA bundle is what a Charmed etcd provider rewrites). */
  get files(): TlsFiles | undefined {
    return this.tlsFiles;
  }

  /** The name of the member the cluster currently follows. */
  async leader(): Promise<string> {
    const result = await this.etcdctl(["endpoint", "status", "-w", "json"]);
    const statuses = JSON.parse(result.stdout) as {
      Endpoint: string;
      Status: { header: { member_id: number }; leader: number };
    }[];
    const leader = statuses.find((s) => s.Status.header.member_id === s.Status.leader);
    const member = this.members.find((m) => leader?.Endpoint.includes(`//${m.address}:`));
    if (!member) throw new Error(`no etcd leader in: ${result.stdout}${result.stderr}`);
    return member.name;
  }

  /** Runs etcdctl (v3 API) against this etcd from inside its namespace; `stdin` e.g. for a large put value. */
  etcdctl(args: readonly string[], stdin?: string): Promise<ExecResult> {
    const tls = this.tlsFiles
      ? [
          `--cacert=${this.tlsFiles.caFile}`,
          `--cert=${this.tlsFiles.clientCertFile}`,
          `--key=${this.tlsFiles.clientKeyFile}`,
        ]
      : [];
    const live = this.members.length === 1 ? this.endpoints : this.liveEndpoints();
    const argv = [
      "nsenter",
      `--net=/run/netns/${this.netns}`,
      "--",
      "etcdctl",
      `--endpoints=${live.join(",")}`,
      ...tls,
    ];
    return execHost([...argv, ...args], { env: { ETCDCTL_API: "3" }, timeoutMs: 30_000, stdin });
  }

  private liveEndpoints(): string[] {
    const live = this.members.flatMap((m, i) => (m.process ? [this.endpoints[i] as string] : []));
    return live.length > 0 ? live : this.endpoints;
  }

  private member(name: string): Member {
    const member = this.members.find((m) => m.name === name);
    if (!member) throw new Error(`no etcd member ${name}`);
    return member;
  }

  private async spawn(member: Member): Promise<void> {
    await mkdir(this.dataDir(member), { recursive: true, mode: 0o700 });
    const argv = ["nsenter", `--net=/run/netns/${this.netns}`, "--", "etcd", ...this.flags(member)];
    // Detached: a Ctrl-C on the terminal must not kill etcd before teardown stops it in order.
    const child = execa(argv[0] as string, argv.slice(1), {
      detached: true,
      stdin: "ignore",
      stdout: { file: join(this.dir, "etcd.log"), append: true },
      stderr: { file: join(this.dir, "etcd.log"), append: true },
      reject: false,
    });
    member.process = child;
    child.then(() => {
      if (member.process === child) member.process = undefined;
    });
  }

  private async stopMember(member: Member, signal: "SIGTERM" | "SIGKILL"): Promise<void> {
    const child = member.process;
    if (!child) return;
    member.process = undefined;
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await child;
    clearTimeout(timer);
  }

  private async makeCerts(): Promise<void> {
    const addresses = this.members.map((m) => m.address);
    this.tlsFiles = await createTls(join(this.dir, "tls"), [...addresses, "127.0.0.1"]);
    this.tls = await readTlsClient(this.tlsFiles);
  }

  private dataDir(member: Member): string {
    return join(this.dir, this.members.length === 1 ? "data" : `data-${member.name}`);
  }

  private flags(member: Member): string[] {
    const client = this.endpoints[this.members.indexOf(member)] as string;
    const single = this.members.length === 1;
    const peerOf = (m: Member) => (single ? "http://127.0.0.1:2380" : `http://${m.address}:2380`);
    const peer = peerOf(member);
    const initial = this.members.map((m) => `${m.name}=${peerOf(m)}`).join(",");
    const common = [
      `--name=${member.name}`,
      `--data-dir=${this.dataDir(member)}`,
      `--listen-peer-urls=${peer}`,
    ];
    const cluster = [`--initial-advertise-peer-urls=${peer}`, `--initial-cluster=${initial}`];
    const clientFlags = [`--listen-client-urls=${client}`, `--advertise-client-urls=${client}`];
    return [...common, ...cluster, ...clientFlags, ...this.tlsFlags()];
  }

  private tlsFlags(): string[] {
    const f = this.tlsFiles;
    if (!f) return [];
    return [
      `--cert-file=${f.serverCertFile}`,
      `--key-file=${f.serverKeyFile}`,
      `--trusted-ca-file=${f.trustedFile}`,
      "--client-cert-auth",
    ];
  }
}
