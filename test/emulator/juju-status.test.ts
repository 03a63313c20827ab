import { describe, expect, it } from "vitest";
import { buildStatus, type MachineView } from "./juju-status";
import { createModel, type Model } from "./model";
import { renderTabular } from "./status-tabular";

const NOW = new Date("2026-11-29T14:05:31Z");
const etcdRelation = {
  id: 1,
  name: "etcd",
  interface: "etcd",
  remoteApp: "etcd",
  localUnitData: {},
  localAppData: {},
  remoteUnits: { "etcd/0": { hostname: "198.51.100.2", port: "2379" } },
  remoteAppData: {},
};

function unit(index: number, overrides: Partial<Model> = {}): Model {
  const address = `198.51.100.${11 + index}`;
  return createModel({
    unitName: `flannel/${index}`,
    machineId: String(index + 1),
    privateAddress: address,
    publicAddress: address,
    leader: index === 0,
    hookCount: 9,
    applicationVersion: "0.28.9",
    ports: ["8285/udp"],
    relations: [etcdRelation],
    unitStatus: { status: "active", message: "flanneld up, subnet 10.10.16.1/24, mtu 1472" },
    ...overrides,
  });
}

const machine = (index: number): MachineView => ({
  id: String(index + 1),
  instId: `m${index + 1}`,
  address: `198.51.100.${11 + index}`,
  running: true,
});

const etcd = { address: "198.51.100.2", port: 2379, version: "3.4.23" };

describe("juju status of an emulated model", () => {
  it("lays out a ready model as Juju 3's `juju status --relations` does", () => {
    const status = buildStatus({
      units: [unit(0), unit(1)],
      machines: [machine(0), machine(1)],
      etcd,
      now: NOW,
    });
    expect(renderTabular(status)).toBe(
      `Model  Controller  Cloud/Region  Version  SLA          Timestamp
test   emulator    nspawn/local  3.6.0    unsupported  14:05:31Z

App      Version  Status  Scale  Charm    Channel  Rev  Exposed  Message
etcd     3.4.23   active      1  etcd                0  no       Healthy
flannel  0.28.9   active      2  flannel             0  no       flanneld up, subnet 10.10.16.1/24, mtu 1472

Unit        Workload  Agent  Machine  Public address  Ports     Message
etcd/0*     active    idle   0        198.51.100.2    2379/tcp  Healthy
flannel/0*  active    idle   1        198.51.100.11   8285/udp  flanneld up, subnet 10.10.16.1/24, mtu 1472
flannel/1   active    idle   2        198.51.100.12   8285/udp  flanneld up, subnet 10.10.16.1/24, mtu 1472

Machine  State    Address        Inst id  Base       AZ  Message
0        started  198.51.100.2   etcd     debian@12      Running
1        started  198.51.100.11  m1       debian@12      Running
2        started  198.51.100.12  m2       debian@12      Running

Integration provider  Requirer      Interface  Type     Message
etcd:db               flannel:etcd  etcd       regular
`,
    );
  });

  it("derives the application status from its most severe unit, and shows a failed hook and a fresh unit", () => {
    const units = [
      unit(0, { unitStatus: { status: "waiting", message: "waiting for etcd" } }),
      unit(1, { unitStatus: { status: "blocked", message: "network is fixed: set network=10.10.0.0/16" } }),
      unit(2, { error: { hook: "config-changed", event: { hook: "config-changed" }, pending: [] } }),
      unit(9, { hookCount: 0, relations: [] }),
    ];
    const status = buildStatus({ units, machines: [machine(0)], etcd, now: NOW });
    expect(status.applications.find((a) => a.name === "flannel")).toMatchObject({
      status: "error",
      message: 'hook failed: "config-changed"',
      scale: 4,
    });
    const rows = renderTabular(status).split("\n");
    expect(rows).toContain(
      'flannel/2   error     idle        3        198.51.100.13   8285/udp  hook failed: "config-changed"',
    );
    expect(rows).toContain(
      "flannel/9   waiting   allocating  10       198.51.100.20   8285/udp  waiting for machine",
    );
    expect(rows).toContain(
      "flannel/1   blocked   idle        2        198.51.100.12   8285/udp  network is fixed: set network=10.10.0.0/16",
    );
    // flannel/9 sorts after flannel/2 (natural order), and the leader keeps its star.
    expect(rows.findIndex((r) => r.startsWith("flannel/9"))).toBeGreaterThan(
      rows.findIndex((r) => r.startsWith("flannel/2")),
    );
    expect(rows.some((r) => r.startsWith("flannel/0* "))).toBe(true);
  });

  it("shows the peer relation as Juju does: one endpoint on both sides, of type peer", () => {
    const overlay = {
      ...etcdRelation,
      id: 0,
      name: "overlay",
      interface: "flannel-mesh",
      remoteApp: "flannel",
    };
    const units = [
      unit(0, { relations: [overlay, etcdRelation] }),
      unit(1, { relations: [overlay, etcdRelation] }),
    ];
    const rows = renderTabular(buildStatus({ units, machines: [], etcd, now: NOW }))
      .trimEnd()
      .split("\n");
    expect(rows.slice(-3)).toEqual([
      "Integration provider  Requirer         Interface     Type     Message",
      "etcd:db               flannel:etcd     etcd          regular",
      "flannel:overlay       flannel:overlay  flannel-mesh  peer",
    ]);
  });

  it("uses the status the leader set for the application over the derived one", () => {
    const leader = unit(0, { appStatus: { status: "maintenance", message: "rolling restart" } });
    const status = buildStatus({ units: [leader, unit(1)], machines: [], etcd, now: NOW });
    expect(status.applications.find((a) => a.name === "flannel")).toMatchObject({
      status: "maintenance",
      message: "rolling restart",
    });
  });

  it("shows an etcd that does not answer and a machine that is down", () => {
    const down = { ...machine(1), running: false };
    const status = renderTabular(
      buildStatus({
        units: [unit(0)],
        machines: [machine(0), down],
        etcd: { ...etcd, version: undefined },
        now: NOW,
      }),
    );
    expect(status).toContain(
      "etcd/0*     unknown   idle   0        198.51.100.2    2379/tcp  etcd does not answer at 198.51.100.2:2379",
    );
    expect(status).toContain(
      "2        down     198.51.100.12  m2       debian@12      machine is not running",
    );
  });

  it("cuts messages longer than 120 characters as Juju does", () => {
    const long = "x".repeat(130);
    const status = renderTabular(
      buildStatus({
        units: [unit(0, { unitStatus: { status: "active", message: long } })],
        machines: [],
        etcd,
        now: NOW,
      }),
    );
    expect(status).toContain(` ${"x".repeat(117)}...\n`);
  });
});
