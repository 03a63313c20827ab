import type { Lease } from "../../flannel/subnet-env";
import { ensureFile, readFileIfExists } from "../../fs/atomic";
import { BACKUP_ROOT, backupOnce, hasBackup, restoreBackup } from "../backup";
import { type Exec, execProgram, type Run, runProgram } from "../programs";
import { renderLxcDefaultConf } from "./default-conf";
import { renderLxcNet } from "./lxc-net";
import { LXC_NET_DROP_IN_PATH, renderLxcNetDropIn } from "./masquerade";

/** The files the lxc bridge is configured through, and where their originals are kept. */
export interface LxcPaths {
  readonly lxcNet: string;
  readonly defaultConf: string;
  readonly dropIn: string;
  readonly backupRoot: string;
}

export const LXC_PATHS: LxcPaths = {
  lxcNet: "/etc/default/lxc-net",
  defaultConf: "/etc/lxc/default.conf",
  dropIn: LXC_NET_DROP_IN_PATH,
  backupRoot: BACKUP_ROOT,
};

export interface LxcOptions {
  readonly paths?: LxcPaths;
  readonly exec?: Exec;
  readonly run?: Run;
  /** Where to say that a file the charm wrote earlier was found changed (juju-log in hooks). */
  readonly warn?: (message: string) => void | Promise<void>;
}

/** Puts lxcbr0 on the lease (address, DHCP pool, MTU, no masquerade inside the overlay); returns whether it changed anything. */
export async function ensureLxcBridge(
  lease: Lease,
  ipMasq: boolean,
  options: LxcOptions = {},
): Promise<boolean> {
  const paths = options.paths ?? LXC_PATHS;
  const wanted = await renderLxcFiles(lease, ipMasq, paths);
  const pending: string[] = [];
  for (const [path, content] of wanted) if ((await readFileIfExists(path)) !== content) pending.push(path);
  if (pending.length === 0) return startIfInactive(options);
  await restartingLxcNet(options.exec ?? execProgram, async () => {
    for (const path of pending) {
      // A backup means the charm wrote this file before: it was edited by hand, or the lease moved.
      if (await hasBackup(path, paths.backupRoot))
        await options.warn?.(
          `${path} differed from the flannel lease's settings: rewrote the charm's lines, kept the others`,
        );
      await backupOnce(path, paths.backupRoot);
      await ensureFile(path, wanted.get(path) ?? "");
    }
  });
  return true;
}

/** Puts back the lxc files as they were before the charm and restarts lxc-net if that changed anything. */
export async function restoreLxcBridge(options: LxcOptions = {}): Promise<boolean> {
  const paths = options.paths ?? LXC_PATHS;
  const backedUp: string[] = [];
  for (const path of [paths.lxcNet, paths.defaultConf, paths.dropIn]) {
    if (await hasBackup(path, paths.backupRoot)) backedUp.push(path);
  }
  if (backedUp.length === 0) return false;
  await restartingLxcNet(options.exec ?? execProgram, async () => {
    for (const path of backedUp) await restoreBackup(path, paths.backupRoot);
  });
  return true;
}

async function renderLxcFiles(lease: Lease, ipMasq: boolean, paths: LxcPaths): Promise<Map<string, string>> {
  return new Map([
    [paths.lxcNet, renderLxcNet(await readFileIfExists(paths.lxcNet), lease)],
    [paths.defaultConf, renderLxcDefaultConf(await readFileIfExists(paths.defaultConf), lease.mtu)],
    [paths.dropIn, renderLxcNetDropIn(lease, ipMasq)],
  ]);
}

// A start that failed or timed out in an earlier hook left the files written: start lxc-net again.
async function startIfInactive(options: LxcOptions): Promise<boolean> {
  const { exitCode } = await (options.run ?? runProgram)("systemctl", ["is-active", "--quiet", "lxc-net"]);
  if (exitCode === 0) return false;
  await (options.exec ?? execProgram)("systemctl", ["start", "lxc-net"]);
  return true;
}

/**
 * Restarts lxc-net with the files as they are: its stop flushes the bridge (kept while containers are
 * attached) and its start puts back the address, the link, dnsmasq and its own rules, and the charm's
 * drop-in its exemptions and MTU.
 */
export async function restartLxcNet(exec: Exec = execProgram): Promise<void> {
  await exec("systemctl", ["restart", "lxc-net"]);
}

// lxc-net removes its iptables rules using the config it reads at stop time, so it must stop before the
// files change, or the old subnet's MASQUERADE and exemptions would stay behind. Whatever happens to the
// change, lxc-net starts again: containers must not be left without their bridge.
async function restartingLxcNet(exec: Exec, change: () => Promise<void>): Promise<void> {
  await exec("systemctl", ["stop", "lxc-net"]);
  try {
    await change();
  } finally {
    await exec("systemctl", ["daemon-reload"]);
    await exec("systemctl", ["start", "lxc-net"]);
  }
}
