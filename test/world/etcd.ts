import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { attachToUnderlay, createNetns, UNDERLAY_PREFIX } from "./netns";
import { type ExecResult, execHost, waitFor } from "./run";
import { createTls, readTlsClient, type TlsClient, type TlsFiles } from "./tls";

export const ETCD_ADDRESS = `${UNDERLAY_PREFIX}.2`;

export interface EtcdOptions {
  tls?: boolean;
}

/** Debian's etcd (v3 API) alone in its own namespace on the underlay, stoppable for fault tests. */
export class Etcd {
  readonly endpoint: string;
  /** Client CA, cert and key (PEM) when started with tls, else undefined. */
  tls: TlsClient | undefined;
  private tlsFiles: TlsFiles | undefined;
  private process: ResultPromise | undefined;

  constructor(
    private readonly netns: string,
    private readonly dir: string,
    private readonly useTls: boolean,
  ) {
    this.endpoint = `${useTls ? "https" : "http"}://${ETCD_ADDRESS}:2379`;
  }

  /** Creates the namespace, plugs it into the underlay and starts etcd. */
  static async create(underlay: string, netns: string, dir: string, options: EtcdOptions): Promise<Etcd> {
    const etcd = new Etcd(netns, dir, options.tls === true);
    await createNetns(netns);
    await attachToUnderlay({ underlay, port: "etcd", netns, address: ETCD_ADDRESS });
    if (etcd.useTls) await etcd.makeCerts();
    await etcd.start();
    return etcd;
  }

  /** PID of the running etcd, if any. */
  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** Starts etcd on its existing data dir and waits until it answers. */
  async start(): Promise<void> {
    if (this.process) return;
    await mkdir(join(this.dir, "data"), { recursive: true, mode: 0o700 });
    const argv = ["nsenter", `--net=/run/netns/${this.netns}`, "--", "etcd", ...this.flags()];
    // Detached: a Ctrl-C on the terminal must not kill etcd before teardown stops it in order.
    const child = execa(argv[0] as string, argv.slice(1), {
      detached: true,
      stdin: "ignore",
      stdout: { file: join(this.dir, "etcd.log"), append: true },
      stderr: { file: join(this.dir, "etcd.log"), append: true },
      reject: false,
    });
    this.process = child;
    child.then(() => {
      if (this.process === child) this.process = undefined;
    });
    await waitFor("etcd to answer", 30_000, async () => {
      if (this.process !== child) throw new Error(`etcd exited; see ${join(this.dir, "etcd.log")}`);
      return (await this.etcdctl(["endpoint", "health"])).exitCode === 0 ? true : undefined;
    });
  }

  /** Stops etcd (SIGTERM, then SIGKILL after 10 s) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child) return;
    this.process = undefined;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await child;
    clearTimeout(timer);
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
    const argv = [
      "nsenter",
      `--net=/run/netns/${this.netns}`,
      "--",
      "etcdctl",
      `--endpoints=${this.endpoint}`,
      ...tls,
    ];
    return execHost([...argv, ...args], { env: { ETCDCTL_API: "3" }, timeoutMs: 30_000, stdin });
  }

  private async makeCerts(): Promise<void> {
    this.tlsFiles = await createTls(join(this.dir, "tls"), [ETCD_ADDRESS, "127.0.0.1"]);
    this.tls = await readTlsClient(this.tlsFiles);
  }

  private flags(): string[] {
    const peer = "http://127.0.0.1:2380";
    const common = ["--name=world", `--data-dir=${join(this.dir, "data")}`, `--listen-peer-urls=${peer}`];
    const cluster = [`--initial-advertise-peer-urls=${peer}`, `--initial-cluster=world=${peer}`];
    const client = [`--listen-client-urls=${this.endpoint}`, `--advertise-client-urls=${this.endpoint}`];
    return [...common, ...cluster, ...client, ...this.tlsFlags()];
  }

  private tlsFlags(): string[] {
    const f = this.tlsFiles;
    if (!f) return [];
    return [
      `--cert-file=${f.serverCertFile}`,
      `--key-file=${f.serverKeyFile}`,
      `--trusted-ca-file=${f.caFile}`,
      "--client-cert-auth",
    ];
  }
}
