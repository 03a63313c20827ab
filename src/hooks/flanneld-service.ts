import { isIPv4 } from "node:net";
import { readLinkAddresses } from "../bridges/ip-addr";
import type { CharmConfig } from "../config/charm-config";
import { deleteOwnLease, EtcdUnavailable } from "../etcd/client";
import type { EtcdAccess, EtcdTls } from "../etcd/relation-data";
import { ensureTlsFiles, readTlsFiles } from "../etcd/tls-files";
import {
  ensureIpForward,
  ensureService,
  flanneldStartedAt,
  hasLostLeaseFile,
  isServiceActive,
  ServiceStartError,
  stopService,
  UNIT_PATH,
  waitForLease,
} from "../flannel/service";
import { type Lease, SUBNET_ENV_PATH } from "../flannel/subnet-env";
import { type FlanneldOptions, renderUnitFile } from "../flannel/unit-file";
import { readFileIfExists } from "../fs/atomic";
import { applicationVersionSet, jujuLog } from "../juju/status";
import { openPort, unitGet } from "../juju/unit";
import { traced } from "../trace/spans";
import type { FlanneldBinary } from "./flanneld-binary";
import { blockIfNetworkFull } from "./subnet-exhaustion";
import { markRestartPending, type UnitRecord } from "./unit-record";
import { blocked, waiting } from "./unit-status";

/** UDP ports each backend receives on; host-gw needs none. */
const BACKEND_PORTS: Record<string, number | undefined> = { udp: 8285, vxlan: 8472, "host-gw": undefined };
const LEASE_WAIT_MS = 5_000;

/** Renders flanneld's unit from config and relation and runs it; restarts only when something changed. */
export async function ensureFlanneldRunning(
  config: CharmConfig,
  access: EtcdAccess,
  binary: FlanneldBinary,
  record: UnitRecord,
) {
  if (access.tls && !(await hasTlsFiles(access.tls))) await markRestartPending(record);
  const tls = access.tls ? await ensureTlsFiles(access.tls) : undefined;
  const privateAddress = await unitGet("private-address");
  const publicIp = await publicIpOf(config.iface, privateAddress);
  if (record.publicIp && record.publicIp !== publicIp) await releaseOldLease(access, config, record.publicIp);
  record.publicIp = publicIp;
  const unitText = renderUnit({
    binary: binary.path,
    endpoints: access.endpoints,
    etcdPrefix: config.etcdPrefix,
    tls: tls?.paths,
    iface: config.iface || privateAddress,
    privateAddress,
    ipMasq: config.ipMasq,
  });
  await ensureIpForward();
  if ((await readFileIfExists(UNIT_PATH)) !== unitText) await markRestartPending(record);
  if (await hasLostLeaseFile()) {
    await jujuLog("WARNING", `${SUBNET_ENV_PATH} was deleted under the running flanneld: restarting it`);
    await markRestartPending(record);
  }
  await ensureService(unitText, { restart: record.restartPending === true }).catch(async (error: unknown) => {
    if (error instanceof ServiceStartError) await blockIfNetworkFull(access, config, publicIp);
    waitIfNotStarted(error);
  });
  record.restartPending = false;
  const port = BACKEND_PORTS[config.backend];
  if (port !== undefined) await openPort(port, "udp");
  await applicationVersionSet(binary.version);
}

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

async function hasTlsFiles(wanted: EtcdTls): Promise<boolean> {
  const current = await readTlsFiles();
  return current?.ca === wanted.ca && current.cert === wanted.cert && current.key === wanted.key;
}
