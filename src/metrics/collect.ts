// One collection: ./health's own observation and verdict, systemd's restart count, the mesh probe over the
// peers the last hook saved, and etcd's lease figures, all side by side. Light like ./health: no execa, no
// etcd3 client, no hook tools (the timer runs outside hooks).

import { readLeaseFigures } from "../etcd/light-leases";
import { readTlsFiles } from "../etcd/tls-files";
import { subnetCapacity } from "../flannel/capacity";
import type { Lease } from "../flannel/subnet-env";
import { findReason } from "../health/health";
import { lightRun } from "../health/light-run";
import { observeHealth } from "../health/observe";
import { leaseKeyOf } from "../hooks/etcd-light-check";
import { loadUnitRecord, type UnitRecord } from "../hooks/unit-record";
import { type Pinger, type ProbeResult, probePeers } from "../peers/mesh";
import { readPeersFile } from "../peers/peers-file";
import type { LeaseSample, MetricsSnapshot, PeerSample } from "./snapshot";

export interface CollectOptions {
  readonly unit: string;
  readonly ping?: Pinger;
  readonly now?: () => number;
}

/** Gathers every figure of the textfile; never throws for what it cannot learn (that figure is left out). */
export async function collectMetrics(options: CollectOptions): Promise<MetricsSnapshot> {
  const now = options.now ?? Date.now;
  const started = now();
  const [observation, record, restarts, targets] = await Promise.all([
    observeHealth(),
    loadUnitRecord().catch(() => undefined),
    readRestarts(),
    readPeersFile().then((peers) => peers ?? []),
  ]);
  const { facts, state } = observation;
  const lease = facts.lease?.ok ? facts.lease.lease : undefined;
  const [probed, leases] = await Promise.all([probePeers(targets, options.ping), readLeases(record, lease)]);
  const reason = findReason(observation);
  const joined = record?.joined;
  return {
    unit: options.unit,
    ready: reason === undefined,
    reason: reason ?? "none",
    backend: state?.backend ?? joined?.backend ?? "udp",
    network: lease?.network ?? joined?.network,
    subnet: lease === undefined ? undefined : networkOf(lease.subnet),
    mtu: lease?.mtu,
    flanneldUp: facts.flanneldRunning,
    flanneldRestarts: restarts,
    flanneldStartSeconds: wallSecondsOf(facts.flanneldStartedUs, started),
    capacity: joined === undefined ? undefined : subnetCapacity(joined.network, joined.subnetLen),
    leases,
    peers: probed.map(toSample),
    collectedSeconds: Math.round(started / 1000),
    durationSeconds: (now() - started) / 1000,
  };
}

/** systemd's count of automatic restarts of flannel.service since it was last started by hand. */
async function readRestarts(): Promise<number | undefined> {
  const args = ["show", "-p", "NRestarts", "--value", "flannel.service"];
  const { exitCode, stdout } = await lightRun("systemctl", args, { timeoutMs: 5_000 });
  const value = Number(stdout.trim());
  return exitCode === 0 && stdout.trim() !== "" && Number.isInteger(value) ? value : undefined;
}

async function readLeases(record: UnitRecord | undefined, lease: Lease | undefined): Promise<LeaseSample> {
  const endpoints = record?.etcdEndpoints ?? [];
  const prefix = record?.joined?.etcdPrefix;
  if (endpoints.length === 0 || prefix === undefined) return { etcdUp: false };
  const tls = record?.etcdTls ? await readTlsFiles() : undefined;
  if (record?.etcdTls && tls === undefined) return { etcdUp: false };
  const access = tls === undefined ? { endpoints } : { endpoints, tls };
  // Without a lease file there is no key to look for: only the count is asked.
  const key = lease === undefined ? "none" : leaseKeyOf(lease);
  const figures = await readLeaseFigures(access, prefix, key).catch(() => undefined);
  if (figures === undefined) return { etcdUp: false };
  return { etcdUp: true, ...figures, present: lease === undefined ? false : figures.present };
}

function toSample(result: ProbeResult): PeerSample {
  const lossRatio = result.sent === 0 ? 1 : (result.sent - result.received) / result.sent;
  return {
    unit: result.unit,
    subnet: result.subnet === undefined ? "" : networkOf(result.subnet),
    address: result.address ?? "",
    reachable: result.reachable,
    rttSeconds: result.rttMs === undefined ? undefined : result.rttMs / 1000,
    lossRatio,
  };
}

/** 10.10.16.1/24 → 10.10.16.0/24: subnet.env names the first address, a label names the subnet. */
export function networkOf(cidr: string): string {
  const [address = "", lengthText = "32"] = cidr.split("/");
  const length = Number(lengthText);
  const value = address.split(".").reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const size = 2 ** (32 - length);
  const base = Math.floor(value / size) * size;
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256);
  return `${octets.join(".")}/${length}`;
}

// flanneld's start is on CLOCK_MONOTONIC (what systemd and /proc report); Node's hrtime reads the same clock.
function wallSecondsOf(startedUs: number | undefined, nowMs: number): number | undefined {
  if (startedUs === undefined) return undefined;
  const monotonicNowUs = Number(process.hrtime.bigint() / 1000n);
  return Math.round(nowMs / 1000 - (monotonicNowUs - startedUs) / 1_000_000);
}
