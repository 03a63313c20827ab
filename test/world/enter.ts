// Ready-made commands for people at a terminal: entering a booted machine and checking etcd from it.
import { ETCD_ADDRESS } from "./etcd";

/** PATH inside a machine: the host's PATH must not leak in (it may name tools the image does not have). */
export const GUEST_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** The shell line that opens a login shell in the machine whose init is `pid`, with a clean environment. */
export function enterCommand(pid: number | undefined): string {
  return `nsenter -t ${pid ?? "<leader PID>"} -a env -i TERM="$TERM" HOME=/root PATH=${GUEST_PATH} bash -l`;
}

/** argv that runs `argv` in the machine whose init is `pid`, with a clean environment (no systemd unit). */
export function enterArgv(pid: number, argv: readonly string[]): string[] {
  return ["nsenter", "-t", String(pid), "-a", "--", "env", "-i", `PATH=${GUEST_PATH}`, "HOME=/root", ...argv];
}

/** Client files for a TLS etcd, as paths inside the machine. */
export interface EtcdClientFiles {
  ca: string;
  cert: string;
  key: string;
}

/** etcdctl inside a machine: is etcd healthy, as a unit would reach it over the underlay? */
export function etcdCheckArgv(endpoint: string, tls?: EtcdClientFiles): string[] {
  const files = tls ? [`--cacert=${tls.ca}`, `--cert=${tls.cert}`, `--key=${tls.key}`] : [];
  return ["etcdctl", `--endpoints=${endpoint}`, ...files, "endpoint", "health"];
}

/** The etcd endpoint a plain (non-TLS) world serves. */
export const PLAIN_ETCD_ENDPOINT = `http://${ETCD_ADDRESS}:2379`;
