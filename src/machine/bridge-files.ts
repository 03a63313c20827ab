// The container bridge's files as the lease renders them, compared with what is on disk: the one check
// that the hooks' plan and the bridge's apply (bridges/lxc, bridges/docker) both rest on.
import { DAEMON_JSON_PATH, mergeDaemonJson } from "../bridges/docker/daemon-json";
import { DOCKER_DROP_IN_PATH, renderDockerDropIn } from "../bridges/docker/drop-in";
import { LXC_PATHS } from "../bridges/lxc/apply";
import { renderLxcDefaultConf } from "../bridges/lxc/default-conf";
import { renderLxcNet } from "../bridges/lxc/lxc-net";
import { renderLxcNetDropIn } from "../bridges/lxc/masquerade";
import type { ContainerType } from "../config/choices";
import type { Lease } from "../flannel/subnet-env";
import { readFileIfExists } from "../fs/atomic";
import type { BridgeFilesFacts } from "./data-path";

/** The files each container type's bridge is configured through, by role. */
export const BRIDGE_FILES = {
  lxc: { lxcNet: LXC_PATHS.lxcNet, lxcDefaultConf: LXC_PATHS.defaultConf, lxcDropIn: LXC_PATHS.dropIn },
  docker: { daemonJson: DAEMON_JSON_PATH, dockerDropIn: DOCKER_DROP_IN_PATH },
  none: {},
} as const;

export type BridgeFileTexts = Readonly<Record<string, string | undefined>>;

/** Reads the bridge's files, by role. */
export async function readBridgeFiles(type: ContainerType): Promise<BridgeFileTexts> {
  const roles = Object.entries(BRIDGE_FILES[type]) as [string, string][];
  const texts = await Promise.all(roles.map(([, path]) => readFileIfExists(path)));
  return Object.fromEntries(roles.map(([role], i) => [role, texts[i]]));
}

/** Whether the files are exactly what the bridge's apply would write for this lease. */
export function compareBridgeFiles(
  type: ContainerType,
  files: BridgeFileTexts,
  lease: Lease,
  ipMasq: boolean,
): BridgeFilesFacts {
  if (type === "lxc") {
    const same =
      files.lxcNet === renderLxcNet(files.lxcNet, lease) &&
      files.lxcDefaultConf === renderLxcDefaultConf(files.lxcDefaultConf, lease.mtu) &&
      files.lxcDropIn === renderLxcNetDropIn(lease, ipMasq);
    return { same };
  }
  if (type === "docker") {
    const merge = mergeDaemonJson(files.daemonJson, lease);
    const same =
      !merge.invalidExisting &&
      files.daemonJson === merge.content &&
      files.dockerDropIn === renderDockerDropIn(lease.mtu);
    return { same };
  }
  return { same: true };
}
