import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STARTUP_SNAPSHOT_DIR as SNAPSHOT_DIR } from "../../src/runtime/startup-snapshot";
import { assertHooksSucceeded, CharmUnit, legacyEtcdData } from "../support/charm-unit";
import { type Container, dockerContainer, ping, startLxcContainer } from "../support/overlay";
import type { Machine } from "../world/machine";
import { World } from "../world/world";

// The property every step of the machine's plan must hold, on real booted machines (systemd, lxc-net,
// dockerd, flanneld): from a state a step owns, perturbed as an operator, a package or a crash would,
// ./health names the step's reason, one update-status converges (./health ready, the unit ready, the same
// subnet), and on the converged machine a second update-status changes nothing (same PIDs, same files).

const HOOK_TIMEOUT_MS = 120_000;

interface Perturbation {
  readonly name: string;
  /** Commands run inside the machine, in order. */
  readonly inject: (machine: Machine, subnet: string) => string[][];
  /** The ./health reason while the drift stands; undefined for drift that breaks nothing now (a file). */
  readonly reason?: string;
}

const sh = (script: string) => ["sh", "-c", script];
/** Debian's Node.js keeps V8 in this library (the booted machines run Debian's). */
const LIBNODE = "/usr/lib/x86_64-linux-gnu/libnode.so.108";
const net = (subnet: string) => subnet.replace(/\.1\/24$/, ".0/24");
/** One iptables command, its rule written as iptables -S prints it (no argument holds a space). */
const iptables = (rule: string) => ["iptables", "-w", "5", ...rule.split(" ")];

/** The bridge's kernel state, the same on LXC and Docker machines. */
function bridgePerturbations(bridge: string): Perturbation[] {
  return [
    {
      name: `${bridge}'s address flushed`,
      inject: () => [["ip", "addr", "flush", "dev", bridge]],
      reason: "bridge-mismatch",
    },
    {
      name: `${bridge}'s MTU set to 1500`,
      inject: () => [["ip", "link", "set", "dev", bridge, "mtu", "1500"]],
      reason: "mtu-mismatch",
    },
    {
      name: `${bridge} downed`,
      inject: () => [["ip", "link", "set", "dev", bridge, "down"]],
      reason: "bridge-down",
    },
    {
      // The containers' veths stay, on no bridge: the repair makes the bridge again and puts them back on it.
      name: `${bridge} deleted`,
      inject: () => [["ip", "link", "del", "dev", bridge]],
      reason: "bridge-missing",
    },
  ];
}

/** What the lxc machine's steps own, perturbed one at a time. */
const LXC_PERTURBATIONS: Perturbation[] = [
  ...bridgePerturbations("lxcbr0"),
  {
    name: "lxc-net's dnsmasq killed",
    inject: () => [sh("kill -9 $(cat /run/lxc/dnsmasq.pid)")],
    reason: "lxc-net-down",
  },
  {
    name: "lxc-net's FORWARD accept deleted under a DROP policy",
    inject: () => [iptables("-P FORWARD DROP"), iptables("-D FORWARD -i lxcbr0 -j ACCEPT")],
    reason: "lxc-net-rules-missing",
  },
  {
    // INPUT accepts all here: DHCP still works, so nothing breaks now, but lxc-net's rules come back.
    name: "lxc-net's DHCP accept deleted",
    inject: () => [iptables("-D INPUT -i lxcbr0 -p udp -m udp --dport 67 -j ACCEPT")],
  },
  {
    name: "lxc-net's masquerade deleted",
    inject: (_, subnet) => [
      iptables(`-t nat -D POSTROUTING -s ${net(subnet)} ! -d ${net(subnet)} -j MASQUERADE`),
    ],
    reason: "lxc-net-rules-missing",
  },
  {
    name: "the charm's nat exemption deleted",
    inject: (_, subnet) => [
      iptables(
        `-t nat -D POSTROUTING -s ${net(subnet)} -d 10.10.0.0/16 -m comment --comment flannel-charm -j RETURN`,
      ),
    ],
    reason: "nat-exemption-missing",
  },
  {
    name: "FORWARD flushed under a DROP policy",
    inject: () => [iptables("-P FORWARD DROP"), iptables("-F FORWARD")],
    reason: "lxc-net-rules-missing",
  },
  {
    name: "flannel0 deleted",
    inject: () => [["ip", "link", "delete", "flannel0"]],
    reason: "flannel-device-missing",
  },
  {
    name: "flannel0 downed",
    inject: () => [["ip", "link", "set", "dev", "flannel0", "down"]],
    reason: "flannel-device-down",
  },
  {
    name: "the route to the network through flannel0 deleted",
    inject: () => [["ip", "route", "del", "10.10.0.0/16", "dev", "flannel0"]],
    reason: "overlay-route-missing",
  },
  {
    name: "ip_forward turned off",
    inject: () => [sh("echo 0 >/proc/sys/net/ipv4/ip_forward")],
    reason: "ip-forward-off",
  },
  { name: "flanneld stopped", inject: () => [["systemctl", "stop", "flannel"]], reason: "flanneld-inactive" },
  { name: "flanneld disabled", inject: () => [["systemctl", "disable", "flannel"]] },
  { name: "the sysctl file deleted", inject: () => [["rm", "-f", "/etc/sysctl.d/60-flannel.conf"]] },
  {
    name: "the unit file edited",
    inject: () => [sh("echo '# edited' >>/etc/systemd/system/flannel.service")],
  },
  {
    name: "lxc-net's file edited",
    inject: () => [sh("sed -i 's/^LXC_DHCP_MAX=.*/LXC_DHCP_MAX=\"9\"/' /etc/default/lxc-net")],
  },
  { name: "the start-up snapshots deleted", inject: () => [["rm", "-rf", SNAPSHOT_DIR]] },
  {
    // What a package upgrade does to the library that carries V8: the old snapshot no longer matches.
    name: "Node.js's library replaced",
    inject: () => [["touch", "-d", "2030-01-01", LIBNODE]],
  },
];

/** What the docker machine's bridge step owns. */
const DOCKER_PERTURBATIONS: Perturbation[] = [
  ...bridgePerturbations("docker0"),
  {
    name: "docker's masquerade of the subnet added",
    inject: (_, subnet) => [iptables(`-t nat -A POSTROUTING -s ${net(subnet)} ! -o docker0 -j MASQUERADE`)],
    reason: "nat-masquerade",
  },
  {
    name: "daemon.json's bip edited",
    inject: () => [sh('sed -i \'s/"bip": "[^"]*"/"bip": "172.18.0.1\\/16"/\' /etc/docker/daemon.json')],
  },
];

interface Host {
  readonly type: "lxc" | "docker";
  readonly machine: Machine;
  readonly unit: CharmUnit;
  readonly container: Container;
  readonly ready: string;
  readonly subnet: string;
}

let world: World;
const hosts: Host[] = [];
beforeAll(async () => {
  world = await World.boot({ machines: 2, docker: true });
  for (const [index, type] of (["lxc", "docker"] as const).entries()) {
    const machine = world.machines[index] as Machine;
    const unit = await CharmUnit.place(machine, { index, config: { "container-type": type } });
    assertHooksSucceeded(await unit.deploy());
    assertHooksSucceeded(await unit.relateEtcd(legacyEtcdData("198.51.100.2", 2379)));
    const ready = (await unit.health()).stdout.trim();
    expect(ready).toMatch(/^ready /);
    const container =
      type === "lxc"
        ? await startLxcContainer(machine, "c1")
        : await dockerContainer(machine, "d1", ["--restart", "always", "--init"]);
    hosts.push({ type, machine, unit, container, ready, subnet: /subnet:(\S+)/.exec(ready)?.[1] ?? "" });
  }
}, 600_000);
afterAll(async () => {
  await world?.teardown();
});

/**
 * The container's address once it runs: a docker restart (the repair of a deleted docker0) starts its
 * containers again in the background (--restart always), and may give them other addresses.
 */
async function addressOf(container: Container): Promise<string> {
  if (container.kind !== "docker") return container.address;
  const argv = [
    "docker",
    "inspect",
    "-f",
    "{{.State.Running}} {{.NetworkSettings.IPAddress}}",
    container.name,
  ];
  for (let waited = 0; waited < 30; waited++) {
    const [running, address] = (await container.machine.run(argv)).trim().split(" ");
    if (running === "true" && address) return address;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`${container.name} is not running 30 s after the hook`);
}

async function pidOf(machine: Machine, service: string): Promise<string> {
  return (await machine.run(["systemctl", "show", "-P", "MainPID", service])).trim();
}

/** What must not change when a hook finds nothing to do: the daemons' PIDs and the files the steps own. */
async function snapshot(machine: Machine, type: "lxc" | "docker") {
  const files = ["/etc/systemd/system/flannel.service", "/etc/sysctl.d/60-flannel.conf"];
  files.push(
    ...(type === "lxc" ? ["/etc/default/lxc-net", "/etc/lxc/default.conf"] : ["/etc/docker/daemon.json"]),
  );
  const stat = await machine.run(["stat", "-c", "%n %s %a %.3Y", ...files]);
  const snapshots = await machine.run(["ls", SNAPSHOT_DIR]);
  const daemon =
    type === "lxc"
      ? (await machine.run(["cat", "/run/lxc/dnsmasq.pid"])).trim()
      : await pidOf(machine, "docker");
  return { flanneld: await pidOf(machine, "flannel"), daemon, stat, snapshots };
}

function describeSteps(type: "lxc" | "docker", perturbations: Perturbation[]) {
  describe(`every step converges in one update-status (${type})`, { timeout: HOOK_TIMEOUT_MS }, () => {
    it.each(perturbations)("$name", async ({ inject, reason }) => {
      const host = hosts.find((h) => h.type === type) as Host;
      const other = hosts.find((h) => h.type !== type) as Host;
      const { machine, unit, ready, subnet } = host;
      for (const argv of inject(machine, subnet)) await machine.run(argv);
      const drifted = (await unit.health()).stdout.trim();
      if (reason === undefined) expect(drifted).toBe(ready);
      else expect(drifted).toMatch(new RegExp(` reason:${reason}$`));
      assertHooksSucceeded(await unit.updateStatus());
      expect((await unit.health()).stdout.trim()).toBe(ready);
      expect((await unit.status()).message).toContain(`ready: subnet ${subnet} `);
      // The containers reach each other across the overlay again, without being restarted by hand.
      await addressOf(host.container);
      const pinged = await ping(host.container, await addressOf(other.container), 3);
      expect(pinged.replies, pinged.output).toBeGreaterThan(0);
      const converged = await snapshot(machine, type);
      assertHooksSucceeded(await unit.updateStatus());
      expect(await snapshot(machine, type)).toEqual(converged);
    });
  });
}

describeSteps("lxc", LXC_PERTURBATIONS);
describeSteps("docker", DOCKER_PERTURBATIONS);

describe("the start-up snapshot", { timeout: HOOK_TIMEOUT_MS }, () => {
  /** What the scripts pass Node.js (files/node-startup.sh), asked the way they ask it. */
  async function startupOptions(host: Host): Promise<string> {
    const script = `. ${host.unit.charmDir}/files/node-startup.sh; node_startup_options node; echo "$node_startup"`;
    return (await host.machine.run(sh(script))).trim();
  }

  it("is built for this Node.js, and ./health answers from it as without it", async () => {
    const host = hosts.find((h) => h.type === "lxc") as Host;
    const identity = (await host.machine.run(sh(`stat -L -c %i-%s-%Y $(command -v node) ${LIBNODE}`)))
      .trim()
      .replace("\n", "_");
    expect(await startupOptions(host)).toBe(`--snapshot-blob ${SNAPSHOT_DIR}/${identity}.blob`);
    expect(await host.machine.run(["ls", SNAPSHOT_DIR])).toBe(`${identity}.blob\nlibraries\n`);
    const plain = await host.machine.run(["node", `${host.unit.charmDir}/lib/health.cjs`]);
    expect(plain.trim()).toBe(host.ready);
    expect((await host.unit.health()).stdout.trim()).toBe(host.ready);
  });

  it("is not started for another Node.js; the next hook builds that one's and drops the old", async () => {
    const host = hosts.find((h) => h.type === "lxc") as Host;
    const before = await startupOptions(host);
    await host.machine.run(["touch", "-d", "2031-01-01", LIBNODE]);
    expect(await startupOptions(host)).toBe("");
    assertHooksSucceeded(await host.unit.updateStatus());
    const after = await startupOptions(host);
    expect(after).toMatch(/^--snapshot-blob /);
    expect(after).not.toBe(before);
    expect((await host.machine.run(["ls", SNAPSHOT_DIR])).split("\n").filter(Boolean)).toHaveLength(2);
  });

  it("is not tried again for a Node.js marked unable to use one, until the mark goes", async () => {
    const host = hosts.find((h) => h.type === "lxc") as Host;
    const blob = (await startupOptions(host)).split(" ")[1] ?? "";
    await host.machine.run(["mv", blob, blob.replace(/\.blob$/, ".unusable")]);
    assertHooksSucceeded(await host.unit.updateStatus());
    expect(await startupOptions(host)).toBe("");
    expect((await host.unit.health()).stdout.trim()).toBe(host.ready);
    await host.machine.run(["rm", blob.replace(/\.blob$/, ".unusable")]);
    assertHooksSucceeded(await host.unit.updateStatus());
    expect(await startupOptions(host)).toBe(`--snapshot-blob ${blob}`);
  });
});
