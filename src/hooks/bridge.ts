import { ensureDockerBridge, restoreDockerBridge } from "../bridges/docker/apply";
import { ensureLxcBridge, restoreLxcBridge } from "../bridges/lxc/apply";
import type { CharmConfig, ContainerType } from "../config/charm-config";
import type { Lease } from "../flannel/subnet-env";
import { jujuLog } from "../juju/status";
import type { UnitRecord } from "./unit-record";

const BRIDGE_NAMES: Record<ContainerType, string | undefined> = {
  lxc: "lxcbr0",
  docker: "docker0",
  none: undefined,
};

/**
 * Moves the configured container bridge onto the lease; switching container-type first gives the old
 * bridge its original files back. Returns the bridge's name, if the machine has one.
 */
export async function ensureBridge(config: CharmConfig, lease: Lease, record: UnitRecord) {
  if (record.bridge && record.bridge !== config.containerType) await restoreBridge(record.bridge);
  if (config.containerType === "lxc") await ensureLxcBridge(lease, config.ipMasq);
  if (config.containerType === "docker") await ensureDockerBridge(lease, { warn: warnInLog });
  record.bridge = config.containerType;
  return BRIDGE_NAMES[config.containerType];
}

/** Gives a bridge back the files it had before the charm touched them. */
export async function restoreBridge(type: ContainerType) {
  if (type === "lxc") await restoreLxcBridge();
  if (type === "docker") await restoreDockerBridge({ warn: warnInLog });
}

/** An operator must see what the bridge step did to their files: in the unit's log, not only on stderr. */
function warnInLog(message: string) {
  return jujuLog("WARNING", message);
}
