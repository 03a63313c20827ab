import { isIPv4 } from "node:net";
import { readLinkAddresses } from "../bridges/ip-addr";
import type { CharmConfig } from "../config/charm-config";
import { deleteOwnLease, EtcdUnavailable } from "../etcd/client";
import type { EtcdAccess } from "../etcd/relation-data";
import { ensureTlsFiles, etcdTlsPaths } from "../etcd/tls-files";
import {
  ensureIpForward,
  ensureService,
  flanneldStartedAt,
  isServiceActive,
  ServiceStartError,
  stopService,
  waitForLease,
} from "../flannel/service";
import { type Lease, SUBNET_ENV_PATH } from "../flannel/subnet-env";
import { type FlanneldOptions, renderUnitFile } from "../flannel/unit-file";
import { applicationVersionSet, jujuLog } from "../juju/status";
import { openPort, unitGet } from "../juju/unit";
import type { Action } from "../machine/actions";
import { planLease } from "../machine/data-path";
import { observeMachine } from "../machine/facts";
import { observeService } from "../machine/hook-observe";
import { BACKEND_PORTS } from "../machine/hook-plan";
import { planTlsFiles, planUnit } from "../machine/service-plan";
import { traced } from "../trace/spans";
import type { FlanneldBinary } from "./flanneld-binary";
import { blockIfNetworkFull } from "./subnet-exhaustion";
import { markRestartPending, type UnitRecord } from "./unit-record";
import { blocked, waiting } from "./unit-status";

const LEASE_WAIT_MS = 5_000;

/**
 * Renders flanneld's unit from config and relation and brings the service to its plan (planService, and
 * the lease step's start or restart): restarts only when something changed.
 */
export async function ensureFlanneldRunning(
  config: CharmConfig,
  access: EtcdAccess,
  binary: FlanneldBinary,
  record: UnitRecord,
) {
  const scope = { containerType: config.containerType, backend: config.backend };
  const [service, machine, privateAddress] = await Promise.all([
    observeService(),
    observeMachine(scope),
    unitGet("private-address"),
  ]);
  // New credentials reach the disk first, even when a later input blocks this hook; the restart they need
  // stays pending in the record until one succeeds.
  const tlsActions = planTlsFiles(service, access.tls);
  if (tlsActions.length > 0 && access.tls) {
    if (tlsActions.some((action) => action.effect.kind === "restart-flanneld"))
      await markRestartPending(record);
    await ensureTlsFiles(access.tls);
  }
  const publicIp = await publicIpOf(config.iface, privateAddress);
  if (record.publicIp && record.publicIp !== publicIp) await releaseOldLease(access, config, record.publicIp);
  record.publicIp = publicIp;
  const unitText = renderUnit({
    binary: binary.path,
    endpoints: access.endpoints,
    etcdPrefix: config.etcdPrefix,
    tls: access.tls ? etcdTlsPaths() : undefined,
    iface: config.iface || privateAddress,
    privateAddress,
    ipMasq: config.ipMasq,
  });
  const restartPending = record.restartPending === true;
  const actions = [
    ...planUnit(service, { unitText, tls: access.tls, restartPending }),
    ...planLease(machine),
  ];
  await applyService(actions, { unitText, access, config, publicIp, record });
  record.restartPending = false;
  const port = BACKEND_PORTS[config.backend];
  if (port !== undefined) await openPort(port, "udp");
  await applicationVersionSet(binary.version);
}

interface ServiceContext {
  readonly unitText: string;
  readonly access: EtcdAccess;
  readonly config: CharmConfig;
  readonly publicIp: string;
  readonly record: UnitRecord;
}

async function applyService(actions: readonly Action[], context: ServiceContext) {
  const kinds = new Set(actions.map((action) => action.effect.kind));
  const restart = kinds.has("restart-flanneld");
  // Remembered before anything changes: a hook killed halfway leaves the restart to the next one.
  if (restart || kinds.has("write-unit")) await markRestartPending(context.record);
  if (actions.some((action) => action.step === "lease" && action.effect.kind === "restart-flanneld"))
    await jujuLog("WARNING", `${SUBNET_ENV_PATH} was deleted under the running flanneld: restarting it`);
  if (kinds.has("persist-ip-forward")) await ensureIpForward();
  if (![...kinds].some((kind) => SERVICE_KINDS.has(kind))) return;
  const { unitText, access, config, publicIp } = context;
  await ensureService(unitText, { restart: restart || context.record.restartPending === true }).catch(
    async (error: unknown) => {
      if (error instanceof ServiceStartError) await blockIfNetworkFull(access, config, publicIp);
      waitIfNotStarted(error);
    },
  );
}

/** The effects that need systemd to write, enable, start or restart flanneld. */
const SERVICE_KINDS = new Set(["write-unit", "enable-flanneld", "start-flanneld", "restart-flanneld"]);

// The renderer refuses values systemd would split or expand; that is bad input, not a hook error.
function renderUnit(options: FlanneldOptions): string {
  try {
    return renderUnitFile(options);
  } catch (error) {
    if (error instanceof RangeError) blocked(`cannot run flanneld with these settings: ${error.message}`);
    throw error;
  }
}

/**
 * The machine was renumbered: flanneld must stop before its lease under the old address is freed, so that
 * at its restart it finds no lease for itself and takes back the subnet its subnet.env names (the
 * containers keep their addresses) under the new address, leaving no stale lease for peers to route to.
 */
async function releaseOldLease(access: EtcdAccess, config: CharmConfig, oldIp: string) {
  await stopService();
  try {
    const freed = await traced("etcd", () => deleteOwnLease(access, config.etcdPrefix, oldIp));
    await jujuLog("INFO", `address changed from ${oldIp}: freed ${freed.join(", ") || "no lease"}`);
  } catch (error) {
    if (error instanceof EtcdUnavailable) waiting(`etcd is unreachable (${error.message}); retrying`);
    throw error;
  }
}

// A crashing flanneld is systemd's to restart (Restart=always): the unit waits instead of going into error.
function waitIfNotStarted(error: unknown): never {
  if (error instanceof ServiceStartError)
    waiting("flanneld fails to start (see 'journalctl -u flannel'); systemd keeps restarting it");
  throw error;
}

// flanneld registers its lease with this address; the remove hook frees the lease that carries it.
async function publicIpOf(iface: string, privateAddress: string): Promise<string> {
  if (iface === "" || isIPv4(iface)) return iface || privateAddress;
  const address = (await readLinkAddresses(iface))?.addresses[0]?.split("/")[0];
  if (address === undefined) blocked(`iface ${JSON.stringify(iface)} has no IPv4 address on this machine`);
  return address;
}

/**
 * The lease the running flanneld holds, waiting a few seconds at most; update-status picks up a later
 * one. A subnet.env older than flanneld's process is a lease it had, not one it holds.
 */
export async function waitForHeldLease(
  access: EtcdAccess,
  config: CharmConfig,
  record: UnitRecord,
): Promise<Lease> {
  const result = await waitForLease(LEASE_WAIT_MS, SUBNET_ENV_PATH, flanneldStartedAt);
  if (result === undefined) {
    await blockIfNetworkFull(access, config, record.publicIp);
    if (!(await isServiceActive()))
      waiting("flanneld is not running (see 'journalctl -u flannel'); retrying");
    waiting("waiting for subnet lease from flanneld");
  }
  if (!result.ok) waiting(`flanneld's lease file is unreadable: ${result.problem}`);
  return result.lease;
}
