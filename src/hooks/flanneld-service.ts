import { isIPv4 } from "node:net";
import { readLinkAddresses } from "../bridges/ip-addr";
import type { CharmConfig } from "../config/charm-config";
import { deleteOwnLease, EtcdUnavailable } from "../etcd/client";
import type { EtcdAccess } from "../etcd/relation-data";
import { ensureTlsFiles } from "../etcd/tls-files";
import {
  ensureIpForward,
  ensureService,
  isServiceActive,
  ServiceStartError,
  stopService,
  waitForLease,
} from "../flannel/service";
import type { Lease } from "../flannel/subnet-env";
import { renderUnitFile } from "../flannel/unit-file";
import { applicationVersionSet, jujuLog } from "../juju/status";
import { openPort, unitGet } from "../juju/unit";
import type { FlanneldBinary } from "./flanneld-binary";
import { blockIfNetworkFull } from "./subnet-exhaustion";
import type { UnitRecord } from "./unit-record";
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
  const tls = access.tls ? await ensureTlsFiles(access.tls) : undefined;
  const privateAddress = await unitGet("private-address");
  const publicIp = await publicIpOf(config.iface, privateAddress);
  if (record.publicIp && record.publicIp !== publicIp) await releaseOldLease(access, config, record.publicIp);
  record.publicIp = publicIp;
  const unitText = renderUnitFile({
    binary: binary.path,
    endpoints: access.endpoints,
    etcdPrefix: config.etcdPrefix,
    tls: tls?.paths,
    iface: config.iface || privateAddress,
    privateAddress,
    ipMasq: config.ipMasq,
  });
  await ensureIpForward();
  await ensureService(unitText, { restart: binary.changed || (tls?.changed ?? false) }).catch(
    async (error: unknown) => {
      if (error instanceof ServiceStartError) await blockIfNetworkFull(access, config, publicIp);
      waitIfNotStarted(error);
    },
  );
  const port = BACKEND_PORTS[config.backend];
  if (port !== undefined) await openPort(port, "udp");
  await applicationVersionSet(binary.version);
}

/**
 * The machine was renumbered: flanneld must stop before its lease under the old address is freed, so that
 * at its restart it finds no lease for itself and takes back the subnet its subnet.env names (the
 * containers keep their addresses) under the new address, leaving no stale lease for peers to route to.
 */
async function releaseOldLease(access: EtcdAccess, config: CharmConfig, oldIp: string) {
  await stopService();
  try {
    const freed = await deleteOwnLease(access, config.etcdPrefix, oldIp);
    await jujuLog("INFO", `address changed from ${oldIp}: freed ${freed.join(", ") || "no lease"}`);
  } catch (error) {
    if (error instanceof EtcdUnavailable) waiting(`etcd is unreachable (${error.message}); retrying`);
    throw error;
  }
}

// flanneld registers its lease with this address; the remove hook frees the lease that carries it.
async function publicIpOf(iface: string, privateAddress: string): Promise<string> {
  if (iface === "" || isIPv4(iface)) return iface || privateAddress;
  const address = (await readLinkAddresses(iface))?.addresses[0]?.split("/")[0];
  if (address === undefined) blocked(`iface ${JSON.stringify(iface)} has no IPv4 address on this machine`);
  return address;
}

// A crashing flanneld is systemd's to restart (Restart=always): the unit waits instead of going into error.
function waitIfNotStarted(error: unknown): never {
  if (error instanceof ServiceStartError)
    waiting("flanneld fails to start (see 'journalctl -u flannel'); systemd keeps restarting it");
  throw error;
}

/** The lease flanneld holds, waiting a few seconds at most; update-status picks up a later one. */
export async function waitForHeldLease(
  access: EtcdAccess,
  config: CharmConfig,
  record: UnitRecord,
): Promise<Lease> {
  const result = await waitForLease(LEASE_WAIT_MS);
  if (result === undefined) {
    await blockIfNetworkFull(access, config, record.publicIp);
    waiting("waiting for subnet lease from flanneld");
  }
  if (!result.ok) waiting(`flanneld's lease file is unreadable: ${result.problem}`);
  if (!(await isServiceActive())) waiting("flanneld is not running (see 'journalctl -u flannel'); retrying");
  return result.lease;
}
