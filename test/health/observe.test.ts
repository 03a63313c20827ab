import { mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseIpAddrJson, readLinkAddresses } from "../../src/bridges/ip-addr";
import type { Run } from "../../src/bridges/programs";
import { observeHealth } from "../../src/health/observe";
import { writeCharmState } from "../../src/state/charm-state";

const SUBNET_ENV =
  "FLANNEL_NETWORK=10.10.0.0/16\nFLANNEL_SUBNET=10.10.16.1/24\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=true\n";
const IP_ADDR_LXCBR0 = JSON.stringify([
  {
    ifindex: 4,
    ifname: "lxcbr0",
    flags: ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"],
    mtu: 1472,
    addr_info: [
      { family: "inet", local: "10.10.16.1", prefixlen: 24, broadcast: "10.10.16.255", scope: "global" },
      { family: "inet6", local: "fe80::216:3eff:fe00:0", prefixlen: 64, scope: "link" },
    ],
  },
]);

let dir: string;
let calls: string[];

function fakeRun(answers: Record<string, { exitCode: number; stdout: string }>): Run {
  return async (file, args) => {
    const command = [file, ...args].join(" ");
    calls.push(command);
    return answers[command] ?? { exitCode: 127, stdout: "" };
  };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "observe-test-"));
  calls = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("observeHealth", () => {
  it("reads the unit state, subnet.env, the bridge the state names, and the charm state", async () => {
    await writeFile(join(dir, "subnet.env"), SUBNET_ENV);
    await writeCharmState({ containerType: "lxc", etcdRelated: true }, join(dir, "state.json"));
    const run = fakeRun({
      "systemctl is-active flannel": { exitCode: 0, stdout: "active\n" },
      "ip -j addr show": { exitCode: 0, stdout: IP_ADDR_LXCBR0 },
    });
    const options = { subnetEnvPath: join(dir, "subnet.env"), statePath: join(dir, "state.json"), run };
    const observation = await observeHealth(options);
    expect(observation.state).toEqual({ containerType: "lxc", etcdRelated: true });
    expect(observation.facts).toMatchObject({
      flanneldRunning: true,
      lease: {
        ok: true,
        lease: { network: "10.10.0.0/16", subnet: "10.10.16.1/24", mtu: 1472, ipMasq: true },
      },
      bridge: { name: "lxcbr0", addresses: ["10.10.16.1/24"], mtu: 1472, up: true },
      flannelDevice: undefined,
    });
  });

  it("sees nothing when nothing is there, and reads devices with one ip call", async () => {
    const run = fakeRun({ "systemctl is-active flannel": { exitCode: 3, stdout: "inactive\n" } });
    const options = { subnetEnvPath: join(dir, "subnet.env"), statePath: join(dir, "state.json"), run };
    const observation = await observeHealth(options);
    expect(observation.state).toBeUndefined();
    expect(observation.facts).toMatchObject({ flanneldRunning: false, lease: undefined, bridge: undefined });
    expect(calls.filter((call) => call.startsWith("ip "))).toEqual(["ip -j addr show"]);
  });

  it("defect 7: lists nat POSTROUTING and filter FORWARD once each, with a bounded wait for the lock", async () => {
    await writeCharmState({ containerType: "lxc", etcdRelated: true }, join(dir, "state.json"));
    const rules = "-P POSTROUTING ACCEPT\n-A POSTROUTING -s 10.0.3.0/24 ! -d 10.0.3.0/24 -j MASQUERADE\n";
    const forward = "-P FORWARD DROP\n";
    const run = fakeRun({
      "iptables -w 2 -t nat -S POSTROUTING": { exitCode: 0, stdout: rules },
      "iptables -w 2 -S": { exitCode: 0, stdout: forward },
    });
    const options = { subnetEnvPath: join(dir, "subnet.env"), statePath: join(dir, "state.json"), run };
    const observation = await observeHealth(options);
    expect(observation.facts.natRules).toBe(rules);
    expect(observation.facts.filterRules).toBe(forward);
    expect(calls.filter((call) => call.startsWith("iptables"))).toEqual([
      "iptables -w 2 -t nat -S POSTROUTING",
      "iptables -w 2 -S",
    ]);
  });

  it("defect 1: a subnet.env older than flanneld's process is no lease; a newer one is", async () => {
    const path = join(dir, "subnet.env");
    await writeFile(path, SUBNET_ENV);
    await writeCharmState({ containerType: "none", etcdRelated: true }, join(dir, "state.json"));
    const nowUs = Number(process.hrtime.bigint() / 1000n);
    const startedAt = (us: number) =>
      fakeRun({
        "systemctl is-active flannel": { exitCode: 0, stdout: "active\n" },
        "systemctl show -p ExecMainStartTimestampMonotonic --value flannel": {
          exitCode: 0,
          stdout: `${us}\n`,
        },
      });
    const options = { subnetEnvPath: path, statePath: join(dir, "state.json") };
    // Written a minute ago, by the flanneld before the one that started a second ago (and holds nothing).
    await utimes(path, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    expect(
      (await observeHealth({ ...options, run: startedAt(nowUs - 1_000_000) })).facts.lease,
    ).toBeUndefined();
    expect((await observeHealth({ ...options, run: startedAt(nowUs - 120_000_000) })).facts.lease?.ok).toBe(
      true,
    );
  });

  it("treats a missing device as no bridge", async () => {
    await writeCharmState({ containerType: "docker", etcdRelated: true }, join(dir, "state.json"));
    const run = fakeRun({ "ip -j addr show": { exitCode: 0, stdout: IP_ADDR_LXCBR0 } });
    const options = { subnetEnvPath: join(dir, "subnet.env"), statePath: join(dir, "state.json"), run };
    expect((await observeHealth(options)).facts.bridge).toBeUndefined();
  });
});

describe("observeHealth: containers' veths", () => {
  it("names the veths whose peer is in a container and that are on no bridge, not the machine's own links", async () => {
    await writeCharmState({ containerType: "lxc", etcdRelated: true }, join(dir, "state.json"));
    const veth = (ifname: string, extra: Record<string, unknown>) => ({
      ifname,
      flags: ["UP"],
      mtu: 1472,
      ...extra,
    });
    const links = [
      veth("vethAbc123", { link_netnsid: 0, addr_info: [] }),
      veth("vethDef456", { link_netnsid: 0, master: "lxcbr0", addr_info: [] }),
      veth("eth0", {
        link_netnsid: 0,
        addr_info: [{ family: "inet", local: "198.51.100.11", prefixlen: 24 }],
      }),
      veth("vethLocal", { addr_info: [] }),
    ];
    const run = fakeRun({ "ip -j addr show": { exitCode: 0, stdout: JSON.stringify(links) } });
    const options = { subnetEnvPath: join(dir, "subnet.env"), statePath: join(dir, "state.json"), run };
    expect((await observeHealth(options)).facts.detachedVeths).toEqual(["vethAbc123"]);
  });
});

describe("parseIpAddrJson", () => {
  it("keeps IPv4 addresses only, with their prefix length", () => {
    expect(parseIpAddrJson(IP_ADDR_LXCBR0)).toEqual({
      name: "lxcbr0",
      addresses: ["10.10.16.1/24"],
      mtu: 1472,
      up: true,
    });
  });

  it("returns undefined for output it cannot read", () => {
    expect(parseIpAddrJson("Device does not exist")).toBeUndefined();
    expect(parseIpAddrJson("[]")).toBeUndefined();
  });
});

describe("readLinkAddresses with the real ip", () => {
  it("reads loopback's address and MTU", async () => {
    expect(await readLinkAddresses("lo")).toEqual({
      name: "lo",
      addresses: ["127.0.0.1/8"],
      mtu: 65536,
      up: true,
    });
  });

  it("returns undefined for a device that does not exist", async () => {
    expect(await readLinkAddresses("nosuchdev0")).toBeUndefined();
  });
});
