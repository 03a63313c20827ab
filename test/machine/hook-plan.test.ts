import { describe, expect, it } from "vitest";
import { renderLxcDefaultConf } from "../../src/bridges/lxc/default-conf";
import { renderLxcNet } from "../../src/bridges/lxc/lxc-net";
import { renderLxcNetDropIn } from "../../src/bridges/lxc/masquerade";
import { etcdTlsPaths } from "../../src/etcd/tls-files";
import { FLANNELD_PATH } from "../../src/flannel/binary";
import { IP_FORWARD_SYSCTL } from "../../src/flannel/service";
import type { Lease } from "../../src/flannel/subnet-env";
import { renderUnitFile } from "../../src/flannel/unit-file";
import { fingerprintOf } from "../../src/hooks/network";
import type { UnitRecord } from "../../src/hooks/unit-record";
import { type HookPicture, planHook } from "../../src/machine/hook-plan";
import { renderMetricsService, renderMetricsTimer } from "../../src/metrics/units";
import { READY_FILTER, READY_NAT, readyFacts } from "./facts-fixture";

/** When the steady unit's facts were read: 2026-12-06T12:00:00Z. */
const NOW = Date.UTC(2026, 11, 6, 12);

const METRICS_UNIT = {
  node: "/usr/bin/node",
  charmDir: "/var/lib/juju/agents/unit-flannel-0/charm",
  unit: "flannel/0",
};

const LEASE: Lease = { network: "10.10.0.0/16", subnet: "10.10.16.1/24", mtu: 1472, ipMasq: true };
const ENDPOINT = "http://198.51.100.2:2379";
const ADDRESS = "198.51.100.11";
const PREFIX = "/coreos.com/network";

const RECORD: UnitRecord = {
  joined: { network: "10.10.0.0/16", subnetLen: 24, backend: "udp", etcdPrefix: PREFIX },
  etcdEndpoints: [ENDPOINT],
  etcdTls: false,
  networkConfirmed: fingerprintOf({ endpoints: [ENDPOINT] }, PREFIX),
  restartPending: false,
  publicIp: ADDRESS,
  resourceStamp: "45000000:1700000000000",
  flanneldVersion: "v0.28.9",
  containerType: "lxc",
  bridge: "lxc",
};

const NAT = READY_NAT;
const FORWARD = READY_FILTER;

function unitText(tls = false) {
  return renderUnitFile({
    binary: FLANNELD_PATH,
    endpoints: [ENDPOINT.replace("http:", tls ? "https:" : "http:")],
    etcdPrefix: PREFIX,
    tls: tls ? etcdTlsPaths() : undefined,
    iface: ADDRESS,
    privateAddress: ADDRESS,
    ipMasq: true,
  });
}

/** A ready lxc unit on a plain etcd, as a no-op update-status finds it. */
function steadyInputs(): HookPicture {
  return {
    record: RECORD,
    config: {},
    resourceStamp: "45000000:1700000000000",
    flanneldInstalled: true,
    etcdUnits: [{ unit: "etcd/0", data: { hostname: "198.51.100.2", port: "2379" } }],
    privateAddress: ADDRESS,
    service: {
      unitFile: unitText(),
      enabled: true,
      sysctlFile: IP_FORWARD_SYSCTL,
      ipForwardBeforeKept: true,
      tlsFiles: undefined,
      tlsFilesPrivate: false,
    },
    bridgeFiles: {
      lxcNet: renderLxcNet(undefined, LEASE),
      lxcDefaultConf: renderLxcDefaultConf(undefined, 1472),
      lxcDropIn: renderLxcNetDropIn(LEASE, true),
    },
    openedPorts: ["8285/udp"],
    machine: readyFacts({ natRules: NAT, filterRules: FORWARD }),
    metrics: {
      exporterInstalled: true,
      installFailures: undefined,
      observedAt: NOW,
      serviceFile: renderMetricsService(METRICS_UNIT),
      timerFile: renderMetricsTimer(),
      timerEnabled: true,
    },
    metricsUnit: METRICS_UNIT,
    startupSnapshot: { identity: "1234-98765432-1700000000", libraries: [], built: true, unusable: false },
  };
}

const metrics =
  (change: Partial<HookPicture["metrics"]>): Change =>
  (i) => ({ ...i, metrics: { ...i.metrics, ...change } });

type Change = (inputs: HookPicture) => HookPicture;

/** `count` failed installs in a row, the last `minutes` before NOW. */
function failedAgo(count: number, minutes: number) {
  return { count, lastAt: NOW - minutes * 60_000, error: "apt-get failed (exit code 100)" };
}
const machine =
  (change: Partial<HookPicture["machine"]>): Change =>
  (i) => ({
    ...i,
    machine: { ...i.machine, ...change },
  });
const service =
  (change: Partial<HookPicture["service"]>): Change =>
  (i) => ({
    ...i,
    service: { ...i.service, ...change },
  });

/** The first action's why, or "steady". */
function firstDrift(picture: HookPicture): string {
  return planHook(picture).actions[0]?.why ?? "steady";
}

describe("planHook", () => {
  it("plans nothing for a ready unit, and gives the status the reconcile would set", () => {
    const result = planHook(steadyInputs());
    expect(result).toMatchObject({
      actions: [],
      status: { state: "active", message: "ready: subnet 10.10.16.1/24 mtu 1472 (lxcbr0)" },
      lease: LEASE,
      access: { endpoints: [ENDPOINT] },
    });
  });

  const drifts: [string, Change, string][] = [
    [
      "node-exporter missing",
      metrics({ exporterInstalled: false }),
      "prometheus-node-exporter is not installed",
    ],
    [
      "node-exporter missing, its install failed 11 min ago (retried after 10)",
      metrics({ exporterInstalled: false, installFailures: failedAgo(1, 11) }),
      "prometheus-node-exporter is not installed",
    ],
    [
      "node-exporter missing, its install failed 9 min ago (backing off), the timer disabled",
      metrics({ exporterInstalled: false, installFailures: failedAgo(1, 9), timerEnabled: false }),
      "the metrics timer is not enabled",
    ],
    ["the metrics timer deleted", metrics({ timerFile: undefined }), "the metrics timer's units differ"],
    [
      "the charm moved",
      (i) => ({ ...i, metricsUnit: { ...METRICS_UNIT, charmDir: "/srv/charm" } }),
      "the metrics timer's units differ",
    ],
    ["the metrics timer disabled", metrics({ timerEnabled: false }), "the metrics timer is not enabled"],
    ["invalid config", (i) => ({ ...i, config: { "subnet-len": 40 } }), "config is invalid"],
    [
      "a fixed option changed",
      (i) => ({ ...i, config: { network: "10.20.0.0/16" } }),
      "a fixed option differs from the network joined",
    ],
    [
      "container-type changed",
      (i) => ({ ...i, config: { "container-type": "docker" } }),
      "container-type changed",
    ],
    [
      "etcd moved",
      (i) => ({ ...i, etcdUnits: [{ unit: "etcd/0", data: { hostname: "198.51.100.3", port: "2379" } }] }),
      "etcd endpoints, prefix or credentials changed",
    ],
    ["no etcd unit", (i) => ({ ...i, etcdUnits: [] }), "etcd relation data is incomplete or invalid"],
    [
      "a restart pending",
      (i) => ({ ...i, record: { ...RECORD, restartPending: true } }),
      "no network joined yet, or a restart pending",
    ],
    [
      "a new resource",
      (i) => ({ ...i, resourceStamp: "46000000:1700000000001" }),
      "the flannel resource changed",
    ],
    ["flanneld removed", (i) => ({ ...i, flanneldInstalled: false }), "flanneld is not installed"],
    [
      "the machine renumbered",
      (i) => ({ ...i, privateAddress: "198.51.100.21" }),
      "the unit's address changed",
    ],
    ["no resource", (i) => ({ ...i, resourceStamp: undefined }), "the flannel resource changed"],
    [
      "the unit file edited",
      service({ unitFile: `${unitText()}# edited\n` }),
      "flanneld's unit file differs",
    ],
    ["the unit file deleted", service({ unitFile: undefined }), "flanneld's unit file differs"],
    [
      "the sysctl file deleted",
      service({ sysctlFile: undefined }),
      "ip_forward is not kept on across reboots",
    ],
    ["ip_forward off", machine({ ipForward: "0" }), "net.ipv4.ip_forward is off"],
    ["flanneld stopped", machine({ flanneldRunning: false }), "flanneld is not running"],
    ["flanneld disabled", service({ enabled: false }), "flanneld is not enabled"],
    ["no held lease", machine({ lease: undefined }), "flanneld holds no lease yet"],
    [
      "subnet.env deleted under flanneld",
      machine({ lease: undefined, leaseFileLost: true }),
      "subnet.env was deleted under flanneld",
    ],
    ["flannel0 deleted", machine({ flannelDevice: undefined }), "flannel0 is missing"],
    ["the overlay route deleted", machine({ routes: [] }), "no route to 10.10.0.0/16 through flannel0"],
    [
      "lxc-net edited",
      (i) => ({ ...i, bridgeFiles: { ...i.bridgeFiles, lxcNet: 'LXC_ADDR="10.0.3.1"\n' } }),
      "lxcbr0's files differ from the lease",
    ],
    [
      "lxc-net's dnsmasq killed",
      machine({ lxcNet: { started: true, dnsmasq: false } }),
      "lxc-net or its dnsmasq is not running",
    ],
    [
      "lxcbr0's address flushed",
      machine({ bridge: { name: "lxcbr0", addresses: [], mtu: 1472, up: true } }),
      "lxcbr0 lacks 10.10.16.1/24",
    ],
    [
      "lxcbr0's MTU set to 1500",
      machine({ bridge: { name: "lxcbr0", addresses: ["10.10.16.1/24"], mtu: 1500, up: true } }),
      "lxcbr0's MTU is 1500, the lease's 1472",
    ],
    [
      "nat flushed",
      machine({ natRules: "-P POSTROUTING ACCEPT\n" }),
      "lxc-net's own iptables rules are gone",
    ],
    [
      "FORWARD flushed",
      machine({ filterRules: "-P FORWARD DROP\n" }),
      "lxc-net's own iptables rules are gone",
    ],
    ["iptables failed", machine({ natRules: undefined }), "iptables could not list the rules"],
    ["the port closed", (i) => ({ ...i, openedPorts: [] }), "8285/udp is not open"],
  ];

  it.each(drifts)("plans a repair for %s", (_, change, drift) => {
    expect(firstDrift(change(steadyInputs()))).toBe(drift);
  });

  it("plans the start-up snapshot for a Node.js that has none, and nothing for one that cannot use it", () => {
    const snapshot =
      (built: boolean, unusable: boolean): Change =>
      (i) => ({
        ...i,
        startupSnapshot: { ...i.startupSnapshot, built, unusable },
      });
    expect(planHook(snapshot(false, false)(steadyInputs())).actions).toEqual([
      {
        step: "node-startup",
        effect: { kind: "build-startup-snapshot" },
        why: "no start-up snapshot for this Node.js",
      },
    ]);
    expect(planHook(snapshot(false, true)(steadyInputs())).actions).toEqual([]);
  });

  it("plans nothing while a failed install of node-exporter backs off: the hook takes the fast path", () => {
    const backingOff = metrics({ exporterInstalled: false, installFailures: failedAgo(7, 359) });
    expect(planHook(backingOff(steadyInputs()))).toMatchObject({
      actions: [],
      status: { state: "active", message: "ready: subnet 10.10.16.1/24 mtu 1472 (lxcbr0)" },
    });
  });
});

describe("planHook with TLS", () => {
  // PEM-shaped, but no certificate or key: the fast path does not parse it, the full reconcile does.
  const pem = (label: string) => `-----BEGIN ${label}-----\nAAAA\n-----END ${label}-----\n`;
  const tls = { ca: pem("CERTIFICATE"), cert: pem("CERTIFICATE"), key: pem("PRIVATE KEY") };
  const data = {
    connection_string: "https://198.51.100.2:2379",
    client_ca: tls.ca,
    client_cert: tls.cert,
    client_key: tls.key,
  };
  const access = { endpoints: ["https://198.51.100.2:2379"], tls };
  const tlsInputs = (): HookPicture => {
    const inputs = steadyInputs();
    return {
      ...inputs,
      record: {
        ...RECORD,
        etcdEndpoints: access.endpoints,
        etcdTls: true,
        networkConfirmed: fingerprintOf(access, PREFIX),
      },
      etcdUnits: [{ unit: "etcd/0", data }],
      service: { ...inputs.service, unitFile: unitText(true), tlsFiles: tls, tlsFilesPrivate: true },
    };
  };

  it("takes material the full reconcile checked and etcd confirmed (the record's fingerprint) as proven", () => {
    expect(planHook(tlsInputs()).actions).toEqual([]);
  });

  it("leaves material no full reconcile confirmed to it, which parses it", () => {
    const other = { ...data, client_key: pem("EC PRIVATE KEY") };
    expect(firstDrift({ ...tlsInputs(), etcdUnits: [{ unit: "etcd/0", data: other }] })).toBe(
      "etcd endpoints, prefix or credentials changed",
    );
  });

  it("plans TLS files that differ or that others may read to be written", () => {
    const other = { ...tls, key: pem("EC PRIVATE KEY") };
    expect(planHook(service({ tlsFiles: other })(tlsInputs())).actions.map((a) => a.effect.kind)).toEqual([
      "write-tls-files",
      "restart-flanneld",
    ]);
    expect(firstDrift(service({ tlsFilesPrivate: false })(tlsInputs()))).toBe("etcd TLS files differ");
  });

  it("a renewed client certificate the running flanneld does not use yet: the full reconcile takes the hook", () => {
    // The files and the record are the old certificate's; the leader's secret holds the new one.
    const renewed = {
      ...data,
      client_cert: pem("CERTIFICATE").replace("AAAA", "BBBB"),
      client_key: pem("PRIVATE KEY").replace("AAAA", "BBBB"),
    };
    expect(planHook({ ...tlsInputs(), etcdUnits: [{ unit: "etcd/0", data: renewed }] }).actions).toEqual([
      {
        step: "inputs",
        effect: { kind: "reconcile-inputs" },
        why: "etcd endpoints, prefix or credentials changed",
      },
    ]);
  });

  it("after the switch in its turn (files, record and relation agree again) the plan is empty", () => {
    const tls2 = { ...tls, cert: tls.cert.replace("AAAA", "BBBB"), key: tls.key.replace("AAAA", "BBBB") };
    const access2 = { endpoints: access.endpoints, tls: tls2 };
    const data2 = { ...data, client_cert: tls2.cert, client_key: tls2.key };
    const inputs = tlsInputs();
    const switched: HookPicture = {
      ...inputs,
      record: { ...inputs.record, networkConfirmed: fingerprintOf(access2, PREFIX), clientCertWanted: "x" },
      etcdUnits: [{ unit: "etcd/0", data: data2 }],
      service: { ...inputs.service, tlsFiles: tls2 },
    };
    expect(planHook(switched).actions).toEqual([]);
  });
});
