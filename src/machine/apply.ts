// The effects of the data path's plan (data-path.ts), one kind at a time. Heavy modules (execa through
// bridges/programs) load only here, when a plan is not empty.
import { ensureDockerBridge, restartDocker } from "../bridges/docker/apply";
import { ensureLxcBridge, restartLxcNet } from "../bridges/lxc/apply";
import { execProgram } from "../bridges/programs";
import type { CharmConfig } from "../config/charm-config";
import {
  ensureIpForward,
  ensureService,
  flanneldStartedAt,
  UNIT_PATH,
  waitForLease,
} from "../flannel/service";
import { type Lease, SUBNET_ENV_PATH } from "../flannel/subnet-env";
import { readFileIfExists } from "../fs/atomic";
import { jujuLog } from "../juju/status";
import type { Action, Effect } from "./actions";

const LEASE_WAIT_MS = 5_000;

/** What applying needs besides the plan: the lease the plan was made for and the config. */
export interface ApplyContext {
  readonly lease: Lease | undefined;
  readonly config: CharmConfig;
}

/**
 * Applies a data-path plan in order, each effect once (two drifts that one restart repairs restart once),
 * and says in the unit's log what it repaired: an operator must see what the charm did to their machine.
 */
export async function applyDataPath(actions: readonly Action[], context: ApplyContext): Promise<void> {
  const done = new Set<string>();
  for (const action of actions) {
    const key = JSON.stringify(action.effect);
    if (done.has(key)) continue;
    done.add(key);
    await applyEffect(action.effect, context);
    // A drift that broke traffic, or a rule someone removed, is the operator's to know of; the rest
    // (a first deploy's files) is routine.
    const level = action.reason !== undefined || action.effect.kind === "iptables" ? "WARNING" : "INFO";
    await jujuLog(level, describeRepair(action));
  }
}

async function applyEffect(effect: Effect, context: ApplyContext): Promise<void> {
  const { lease, config } = context;
  const warn = (message: string) => jujuLog("WARNING", message);
  switch (effect.kind) {
    case "start-flanneld":
    case "restart-flanneld":
      return restartFlanneld(effect.kind === "restart-flanneld");
    case "wait-for-lease":
      await waitForLease(LEASE_WAIT_MS, SUBNET_ENV_PATH, flanneldStartedAt);
      return;
    case "set-ip-forward":
      await ensureIpForward();
      return;
    case "link-up":
      return execProgram("ip", ["link", "set", "dev", effect.device, "up"]);
    case "link-mtu":
      return execProgram("ip", ["link", "set", "dev", effect.device, "mtu", String(effect.mtu)]);
    case "add-route":
      return execProgram("ip", [
        "route",
        "replace",
        effect.destination,
        "dev",
        effect.device,
        "scope",
        "global",
      ]);
    case "attach-veths":
      for (const veth of effect.veths)
        await execProgram("ip", ["link", "set", "dev", veth, "master", effect.device]);
      return;
    case "iptables":
      return execProgram("iptables", effect.args);
    case "restart-lxc-net":
      return restartLxcNet();
    case "restart-docker":
      return restartDocker();
    case "ensure-lxc-files":
      if (lease) await ensureLxcBridge(lease, config.ipMasq, { warn });
      return;
    case "ensure-docker-bridge":
      if (lease) await ensureDockerBridge(lease, { warn });
      return;
    default:
      // Service and Juju effects are the reconcile's own (hooks/flanneld-service.ts): not data path.
      throw new Error(`not a data-path effect: ${effect.kind}`);
  }
}

/** What the unit's log says of a repair; rules are named as the iptables call that put them back. */
function describeRepair(action: Action): string {
  const { effect } = action;
  if (effect.kind !== "iptables") return `${action.step}: ${action.why}; applied ${effect.kind}`;
  const chain = action.step === "nat" ? "nat POSTROUTING" : "filter FORWARD";
  return `repaired ${chain}: iptables ${effect.args.join(" ")}`;
}

// A restart keeps the lease: flanneld finds the one that carries its address in etcd and takes it again.
async function restartFlanneld(restart: boolean): Promise<void> {
  const unitText = await readFileIfExists(UNIT_PATH);
  if (unitText === undefined) return;
  await ensureService(unitText, { restart });
  await waitForLease(LEASE_WAIT_MS, SUBNET_ENV_PATH, flanneldStartedAt);
}
