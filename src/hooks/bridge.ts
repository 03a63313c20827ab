import { ensureDockerBridge, restoreDockerBridge } from "../bridges/docker/apply";
import { ensureForwardRules, removeForwardRules } from "../bridges/forward-rules";
import { ensureLxcBridge, restoreLxcBridge } from "../bridges/lxc/apply";
import { ensureNatRules } from "../bridges/nat-rules";
import { ProgramError } from "../bridges/programs";
import type { CharmConfig, ContainerType } from "../config/charm-config";
import type { Lease } from "../flannel/subnet-env";
import { jujuLog } from "../juju/status";
import type { UnitRecord } from "./unit-record";
import { waiting } from "./unit-status";

const BRIDGE_NAMES: Record<ContainerType, string | undefined> = {
  lxc: "lxcbr0",
  docker: "docker0",
  none: undefined,
};

/**
 * Moves the configured container bridge onto the lease; switching container-type first gives the old
 * bridge its original files back. Returns the bridge's name, if the machine has one. A program that
 * fails or hangs (lxc-net, docker, iptables) makes the unit wait: update-status tries again.
 */
export async function ensureBridge(config: CharmConfig, lease: Lease, record: UnitRecord) {
  try {
    await applyBridge(config, lease, record);
  } catch (error) {
    if (error instanceof ProgramError)
      waiting(`could not set up the container bridge: ${error.message}; retrying`);
    throw error;
  }
  return BRIDGE_NAMES[config.containerType];
}

async function applyBridge(config: CharmConfig, lease: Lease, record: UnitRecord) {
  if (record.bridge && record.bridge !== config.containerType) await restoreBridge(record.bridge);
  // Recorded before the files change: a step that stops the hook halfway must still be undone on remove.
  record.bridge = config.containerType;
  if (config.containerType === "lxc") await ensureLxcBridge(lease, config.ipMasq, { warn: warnInLog });
  if (config.containerType === "docker") await ensureDockerBridge(lease, { warn: warnInLog });
  // Checked on every hook: the rules live in the kernel only, and anyone may delete or add one.
  for (const change of await ensureNatRules(lease, config.containerType, config.ipMasq)) {
    await warnInLog(`repaired nat POSTROUTING: iptables ${change}`);
  }
  if (config.containerType === "none") return removeForwardRules();
  for (const change of await ensureForwardRules(lease.network)) {
    await warnInLog(`repaired filter FORWARD: iptables ${change}`);
  }
}

/** Gives a bridge back the files it had before the charm touched them. */
export async function restoreBridge(type: ContainerType) {
  if (type === "lxc") await restoreLxcBridge();
  if (type === "docker") await restoreDockerBridge({ warn: warnInLog });
  await removeForwardRules();
}

/** An operator must see what the bridge step did to their files: in the unit's log, not only on stderr. */
function warnInLog(message: string) {
  return jujuLog("WARNING", message);
}
