import { readFile } from "node:fs/promises";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { renderLxcNetDropIn } from "../../../src/bridges/lxc/masquerade";
import type { Lease } from "../../../src/flannel/subnet-env";

// Namespaces made by this test only: container A behind lxcbr0 on host H, and peer P (another flannel host
// holding 10.10.17.0/24, and an outside address 203.0.113.1) on an underlay 198.51.100.0/24.
const LXC_NET_SCRIPT = "/usr/libexec/lxc/lxc-net";
const lease: Lease = { network: "10.10.0.0/16", subnet: "10.10.16.1/24", mtu: 1472, ipMasq: true };
const tag = `fmq${process.pid % 100000}`;
const [A, H, P] = ["a", "h", "p"].map((n) => `${tag}${n}`);

const inNs = (ns: string, ...argv: string[]) => execa("ip", ["netns", "exec", ns, ...argv]);

async function buildTopology() {
  for (const ns of [A, H, P]) await execa("ip", ["netns", "add", ns]);
  await execa("ip", ["link", "add", "a0", "netns", A, "type", "veth", "peer", "name", "h0", "netns", H]);
  await execa("ip", ["link", "add", "h1", "netns", H, "type", "veth", "peer", "name", "p1", "netns", P]);
  const steps: [string, string[]][] = [
    [A, ["ip", "addr", "add", "10.10.16.2/24", "dev", "a0"]],
    [A, ["ip", "link", "set", "a0", "up"]],
    [A, ["ip", "route", "add", "default", "via", "10.10.16.1"]],
    [H, ["ip", "link", "add", "lxcbr0", "type", "bridge"]],
    [H, ["ip", "link", "set", "h0", "master", "lxcbr0", "up"]],
    [H, ["ip", "addr", "add", "10.10.16.1/24", "dev", "lxcbr0"]],
    [H, ["ip", "link", "set", "lxcbr0", "up"]],
    [H, ["ip", "addr", "add", "198.51.100.1/24", "dev", "h1"]],
    [H, ["ip", "link", "set", "h1", "up"]],
    [H, ["ip", "route", "add", "default", "via", "198.51.100.2"]],
    [H, ["sysctl", "-qw", "net.ipv4.ip_forward=1"]],
    [P, ["ip", "addr", "add", "198.51.100.2/24", "dev", "p1"]],
    [P, ["ip", "addr", "add", "10.10.17.1/24", "dev", "p1"]],
    [P, ["ip", "addr", "add", "203.0.113.1/32", "dev", "p1"]],
    [P, ["ip", "link", "set", "p1", "up"]],
    [P, ["ip", "route", "add", "10.10.16.0/24", "via", "198.51.100.1"]],
  ];
  for (const [ns, argv] of steps) await inNs(ns, ...argv);
  for (const [ns, dev] of [
    [A, "a0"],
    [H, "lxcbr0"],
    [H, "h1"],
    [P, "p1"],
  ] as const)
    await waitOperUp(ns, dev);
  for (const [name, source] of [
    ["kept", "10.10.16.2"],
    ["natted", "198.51.100.1"],
  ]) {
    await inNs(
      P,
      "iptables",
      "-w",
      "-A",
      "INPUT",
      "-p",
      "icmp",
      "-s",
      source,
      "-m",
      "comment",
      "--comment",
      name,
    );
  }
}

/**
 * The kernel raises a veth's carrier asynchronously, and a bridge forwards only once its port has carrier:
 * a ping sent straight after `ip link set up` can be lost, and would read here as "nothing arrived".
 */
async function waitOperUp(ns: string, dev: string) {
  for (let tries = 0; tries < 50; tries++) {
    const [link] = JSON.parse((await inNs(ns, "ip", "-j", "link", "show", dev)).stdout);
    if (link?.operstate === "UP") return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${dev} in ${ns} did not come up within 5 s`);
}

/** lxc-net's own masquerade rule, read from the installed script so a change there fails this test. */
async function addLxcNetMasquerade(subnet: string) {
  const script = await readFile(LXC_NET_SCRIPT, "utf8");
  const variable = ["$", "{LXC_NETWORK}"].join("");
  const rule = `-t nat -A POSTROUTING -s ${variable} ! -d ${variable} -j MASQUERADE`;
  expect(script, `${LXC_NET_SCRIPT} no longer adds: ${rule}`).toContain(
    `iptables $use_iptables_lock ${rule}`,
  );
  await inNs(H, "iptables", "-w", ...rule.replaceAll(variable, subnet).split(" "));
}

/** Runs the drop-in's ExecStartPost= or ExecStopPost= commands in H as systemd would (a leading - ignores failure). */
async function runDropIn(dropIn: string, key: "ExecStartPost" | "ExecStopPost") {
  for (const line of dropIn.split("\n").filter((l) => l.startsWith(`${key}=`))) {
    const command = line.slice(key.length + 1);
    const ignoreFailure = command.startsWith("-");
    const [file, ...args] = (ignoreFailure ? command.slice(1) : command).split(" ");
    await execa("ip", ["netns", "exec", H, file, ...args], { reject: !ignoreFailure });
  }
}

/** Pings from the container and returns which source address P saw (the counters of its tagged rules). */
async function sourceSeenAt(destination: string): Promise<string> {
  await inNs(P, "iptables", "-w", "-Z", "INPUT");
  await execa("ip", ["netns", "exec", A, "busybox", "ping", "-c", "1", "-W", "1", destination], {
    reject: false,
  });
  const { stdout } = await inNs(P, "iptables", "-w", "-nvxL", "INPUT");
  const count = (name: string) =>
    Number(
      stdout
        .split("\n")
        .find((l) => l.includes(`/* ${name} */`))
        ?.trim()
        .split(/\s+/)[0],
    );
  return count("kept") > 0 ? "kept" : count("natted") > 0 ? "natted" : "nothing arrived";
}

afterEach(async () => {
  for (const ns of [A, H, P]) await execa("ip", ["netns", "del", ns], { reject: false });
});

describe("lxc-net masquerade with the charm's drop-in (network namespaces)", () => {
  it("without the drop-in, lxc-net source-NATs traffic to other overlay subnets (the problem)", async () => {
    await buildTopology();
    await addLxcNetMasquerade("10.10.16.0/24");
    expect(await sourceSeenAt("10.10.17.1")).toBe("natted");
  });

  it("with ip-masq: overlay traffic keeps its source, traffic leaving the network is masqueraded", async () => {
    await buildTopology();
    await addLxcNetMasquerade("10.10.16.0/24");
    const dropIn = renderLxcNetDropIn(lease, true);
    await runDropIn(dropIn, "ExecStartPost");
    await runDropIn(dropIn, "ExecStartPost");
    expect(await sourceSeenAt("10.10.17.1")).toBe("kept");
    expect(await sourceSeenAt("203.0.113.1")).toBe("natted");
    expect((await inNs(H, "ip", "-j", "link", "show", "lxcbr0")).stdout).toContain('"mtu":1472');
    const { stdout } = await inNs(H, "iptables", "-w", "-t", "nat", "-S", "POSTROUTING");
    expect(stdout.split("\n"), "a second start must not duplicate the exemption").toEqual([
      "-P POSTROUTING ACCEPT",
      "-A POSTROUTING -s 10.10.16.0/24 -d 10.10.0.0/16 -m comment --comment flannel-charm -j RETURN",
      "-A POSTROUTING -s 10.10.16.0/24 ! -d 10.10.16.0/24 -j MASQUERADE",
    ]);
  });

  it("without ip-masq: nothing from the subnet is masqueraded; stopping removes exactly the charm's rules", async () => {
    await buildTopology();
    await addLxcNetMasquerade("10.10.16.0/24");
    const dropIn = renderLxcNetDropIn(lease, false);
    await runDropIn(dropIn, "ExecStartPost");
    expect(await sourceSeenAt("10.10.17.1")).toBe("kept");
    expect(await sourceSeenAt("203.0.113.1")).toBe("kept");
    await runDropIn(dropIn, "ExecStopPost");
    const { stdout } = await inNs(H, "iptables", "-w", "-t", "nat", "-S", "POSTROUTING");
    expect(stdout.split("\n")).toEqual([
      "-P POSTROUTING ACCEPT",
      "-A POSTROUTING -s 10.10.16.0/24 ! -d 10.10.16.0/24 -j MASQUERADE",
    ]);
  });
});
