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
import { checkSteady, type SteadyInputs } from "../../src/hooks/steady-check";
import type { UnitRecord } from "../../src/hooks/unit-record";

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

const NAT = [
  "-P POSTROUTING ACCEPT",
  "-A POSTROUTING -s 10.10.16.0/24 -d 10.10.0.0/16 -m comment --comment flannel-charm -j RETURN",
  "-A POSTROUTING -s 10.10.16.0/24 ! -d 10.10.16.0/24 -j MASQUERADE",
].join("\n");
const FORWARD = [
  "-P FORWARD DROP",
  "-A FORWARD -d 10.10.0.0/16 -m comment --comment flannel-charm -j ACCEPT",
  "-A FORWARD -s 10.10.0.0/16 -m comment --comment flannel-charm -j ACCEPT",
].join("\n");

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
function steadyInputs(): SteadyInputs {
  return {
    record: RECORD,
    config: {},
    resourceStamp: "45000000:1700000000000",
    flanneldInstalled: true,
    etcdUnits: [{ unit: "etcd/0", data: { hostname: "198.51.100.2", port: "2379" } }],
    privateAddress: ADDRESS,
    files: {
      unit: unitText(),
      sysctl: IP_FORWARD_SYSCTL,
      lxcNet: renderLxcNet(undefined, LEASE),
      lxcDefaultConf: renderLxcDefaultConf(undefined, 1472),
      lxcDropIn: renderLxcNetDropIn(LEASE, true),
    },
    tlsFilesPrivate: false,
    tlsFilesLoaded: false,
    ipForwardBeforeKept: true,
    ipForward: "1\n",
    flanneldRunning: true,
    flanneldEnabled: true,
    heldLease: { ok: true, lease: LEASE },
    bridge: { name: "lxcbr0", addresses: ["10.10.16.1/24"], mtu: 1472 },
    lxcNetRunning: true,
    natRules: NAT,
    forwardRules: FORWARD,
  };
}

describe("checkSteady", () => {
  it("finds a ready unit steady, with the status the reconcile would set", () => {
    const result = checkSteady(steadyInputs());
    expect(result).toMatchObject({
      steady: true,
      status: { state: "active", message: "ready: subnet 10.10.16.1/24 mtu 1472 (lxcbr0)" },
      lease: LEASE,
      access: { endpoints: [ENDPOINT] },
    });
  });

  const drifts: [string, (inputs: SteadyInputs) => SteadyInputs, string][] = [
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
    ["no resource", (i) => ({ ...i, resourceStamp: undefined }), "the flannel resource changed"],
    ["flanneld removed", (i) => ({ ...i, flanneldInstalled: false }), "flanneld is not installed"],
    [
      "the machine renumbered",
      (i) => ({ ...i, privateAddress: "198.51.100.21" }),
      "the unit's address changed",
    ],
    [
      "the unit file edited",
      (i) => ({ ...i, files: { ...i.files, unit: `${i.files.unit}# edited\n` } }),
      "flanneld's unit file differs",
    ],
    [
      "the unit file deleted",
      (i) => ({ ...i, files: { ...i.files, unit: undefined } }),
      "flanneld's unit file differs",
    ],
    ["ip_forward off", (i) => ({ ...i, ipForward: "0\n" }), "ip_forward is not on"],
    ["flanneld stopped", (i) => ({ ...i, flanneldRunning: false }), "flanneld is not running and enabled"],
    ["flanneld disabled", (i) => ({ ...i, flanneldEnabled: false }), "flanneld is not running and enabled"],
    ["no held lease", (i) => ({ ...i, heldLease: undefined }), "flanneld holds no lease"],
    [
      "lxc-net edited",
      (i) => ({ ...i, files: { ...i.files, lxcNet: 'LXC_ADDR="10.0.3.1"\n' } }),
      "lxc-net's files or service differ",
    ],
    ["lxc-net stopped", (i) => ({ ...i, lxcNetRunning: false }), "lxc-net's files or service differ"],
    ["nat flushed", (i) => ({ ...i, natRules: "-P POSTROUTING ACCEPT\n" }), "nat POSTROUTING needs a repair"],
    ["FORWARD flushed", (i) => ({ ...i, forwardRules: "-P FORWARD DROP\n" }), "FORWARD rules are missing"],
    ["iptables failed", (i) => ({ ...i, natRules: undefined }), "iptables could not list nat POSTROUTING"],
  ];

  it.each(drifts)("sends %s to the full reconcile", (_, change, drift) => {
    expect(checkSteady(change(steadyInputs()))).toEqual({ steady: false, drift });
  });
});

describe("checkSteady with TLS", () => {
  // PEM-shaped, but no certificate or key: only the full parse of the material can tell.
  const pem = (label: string) => `-----BEGIN ${label}-----\nAAAA\n-----END ${label}-----\n`;
  const tls = { ca: pem("CERTIFICATE"), cert: pem("CERTIFICATE"), key: pem("PRIVATE KEY") };
  const data = {
    connection_string: "https://198.51.100.2:2379",
    client_ca: tls.ca,
    client_cert: tls.cert,
    client_key: tls.key,
  };
  const access = { endpoints: ["https://198.51.100.2:2379"], tls };
  const tlsInputs = (): SteadyInputs => {
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
      files: { ...inputs.files, unit: unitText(true) },
      tlsFiles: tls,
      tlsFilesPrivate: true,
      tlsFilesLoaded: true,
    };
  };

  it("takes the material the running flanneld loaded and got its lease with as proven", () => {
    expect(checkSteady(tlsInputs()).steady).toBe(true);
  });

  it("leaves material flanneld did not load to the full reconcile, which parses it", () => {
    expect(checkSteady({ ...tlsInputs(), tlsFilesLoaded: false })).toEqual({
      steady: false,
      drift: "TLS material not proven",
    });
  });

  it("sends TLS files that differ or that others may read to the full reconcile", () => {
    const other = { ...tls, key: pem("EC PRIVATE KEY") };
    expect(checkSteady({ ...tlsInputs(), tlsFiles: other, tlsFilesLoaded: false })).toMatchObject({
      steady: false,
    });
    expect(checkSteady({ ...tlsInputs(), tlsFilesPrivate: false })).toEqual({
      steady: false,
      drift: "etcd TLS files differ",
    });
  });
});
