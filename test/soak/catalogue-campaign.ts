import { NETWORK_PREFIX, readLeases } from "../faults/campaign";
import { rotateEtcdTls, wipeEtcd } from "../faults/probes";
import { FLANNELD_BINARY } from "../support/paths";
import { type FaultKind, type Host, injectOnly, restartBridgeService, type SoakContext } from "./context";

// Every scenario of the fault campaign (test/faults), as a soak fault: injected the way its test injects it,
// healed after a hold where the campaign holds it. Scenario numbers are the campaign's.

const FLANNELD = "/usr/local/bin/flanneld";
const MODEL = "/var/lib/juju-emulator/model.json";
/** A PublicIP no machine has: the owner of the subnets the exhaustion fault squats. */
const SQUATTER = "198.51.100.250";

const one = (targets: Host[]) => targets[0] as Host;

/** update-status on every unit, through the unit's hook queue (what Juju would run meanwhile anyway). */
async function updateAll(ctx: SoakContext): Promise<void> {
  await Promise.all(
    ctx.hosts
      .filter((h) => !h.down)
      .map((h) => ctx.hooks.run(h.unit, "update-status", () => h.unit.updateStatus())),
  );
}

/** Moves the machine's underlay address and tells its unit (config-changed), as campaign 12 does. */
async function renumber(ctx: SoakContext, host: Host, to: string): Promise<void> {
  await host.machine.run([
    "sh",
    "-c",
    `ip addr del ${host.address}/24 dev eth0 && ip addr add ${to}/24 dev eth0`,
  ]);
  host.address = to;
  // Juju's new address for the unit goes into its model in the unit's hook queue: the agent writes the
  // model back after each hook, so a write beside a running hook would be lost (the unit would go on
  // announcing the address it had before).
  await ctx.hooks.run(host.unit, "config-changed after renumbering", async () => {
    const model = JSON.parse(await host.machine.readFile(MODEL));
    Object.assign(model, { privateAddress: to, publicAddress: to });
    await host.machine.writeFile(MODEL, JSON.stringify(model, null, 2));
    return host.unit.configure({});
  });
}

/** Leases every free /24 of 10.10.0.0/16 to nobody's address in one etcd transaction; returns the keys. */
async function squatFreeSubnets(ctx: SoakContext): Promise<string[]> {
  const taken = await readLeases(ctx.world);
  const keys = Array.from({ length: 255 }, (_, i) => `10.10.${i + 1}.0-24`).filter((k) => !taken.has(k));
  const value = JSON.stringify(JSON.stringify({ PublicIP: SQUATTER, PublicIPv6: null }));
  const puts = keys.map((k) => `put ${NETWORK_PREFIX}/subnets/${k} ${value}`);
  await etcdTxn(ctx, puts);
  return keys;
}

/** etcd refuses a transaction of more than 128 operations (its --max-txn-ops): batches of 100. */
async function etcdTxn(ctx: SoakContext, ops: string[]): Promise<void> {
  for (let at = 0; at < ops.length; at += 100) {
    const batch = ops.slice(at, at + 100);
    // No compares, the puts or deletes, then no failure ops: each section ends with a blank line.
    const result = await ctx.world.etcdctl(["txn"], `\n${batch.join("\n")}\n\n\n`);
    if (result.exitCode !== 0) throw new Error(`etcdctl txn failed: ${result.stderr.trim()}`);
  }
}

// Typed one by one so each entry is checked as a FaultKind where it is written.
const held = (kind: FaultKind): FaultKind => kind;

export const CAMPAIGN: FaultKind[] = [
  held({
    name: "etcd-member-killed",
    what: "crash (1): etcd SIGKILLed, back after the hold (a one-member etcd: its leader is the member)",
    scope: "world",
    holdS: [10, 20],
    inject: async (ctx) => {
      await ctx.world.etcd.killMember(ctx.world.etcd.memberNames[0] as string);
      return () => ctx.world.etcd.start();
    },
  }),
  held({
    name: "etcd-down",
    what: "operator (2): etcd stopped, hooks keep coming, started after the hold",
    scope: "world",
    holdS: [20, 40],
    inject: async (ctx) => {
      await ctx.world.etcd.stop();
      return () => ctx.world.etcd.start();
    },
  }),
  held({
    name: "etcd-wiped",
    what: "operator (3): etcd restored from nothing (data directory deleted)",
    scope: "world",
    inject: async (ctx) => {
      await wipeEtcd(ctx.world);
      return undefined;
    },
  }),
  held({
    name: "flanneld-killed",
    what: "crash (4): flanneld SIGKILLed",
    scope: "machine",
    inject: injectOnly((h) => h.machine.run(["systemctl", "kill", "-s", "KILL", "flannel"])),
  }),
  held({
    name: "flanneld-crash-loop",
    what: "package (4): flanneld replaced by a binary that exits 1, good binary back after the hold",
    scope: "machine",
    holdS: [8, 15],
    inject: async (_, targets) => {
      const m = one(targets).machine;
      const broken = `mv ${FLANNELD} /var/lib/flanneld.good && printf '#!/bin/sh\\necho broken >&2\\nexit 1\\n' >${FLANNELD} && chmod 755 ${FLANNELD}`;
      await m.run(["sh", "-c", broken]);
      await m.run(["systemctl", "kill", "-s", "KILL", "flannel"]);
      return async () => {
        await m.run(["mv", "/var/lib/flanneld.good", FLANNELD]);
      };
    },
    restore: async (_, h) => h.machine.copyIn(FLANNELD_BINARY, FLANNELD),
  }),
  held({
    name: "machine-reboot",
    what: "operator (5): the machine reboots; containers autostart; no hook runs for it",
    scope: "machine",
    inject: async (_, targets) => {
      const host = one(targets);
      host.down = true;
      try {
        await host.machine.reboot();
      } finally {
        host.down = false;
      }
      return undefined;
    },
  }),
  held({
    name: "nat-table-flushed",
    what: "firewall reload (6): iptables -t nat -F",
    scope: "machine",
    inject: injectOnly((h) => h.machine.run(["iptables", "-w", "-t", "nat", "-F"])),
    restore: restartBridgeService,
  }),
  held({
    name: "forward-flushed-policy-drop",
    what: "firewall reload (6): FORWARD policy DROP and flushed",
    scope: "machine",
    inject: injectOnly((h) =>
      h.machine.run(["sh", "-c", "iptables -w -P FORWARD DROP && iptables -w -F FORWARD"]),
    ),
    restore: restartBridgeService,
  }),
  held({
    name: "nft-ruleset-flushed",
    what: "firewall reload (6): nft flush ruleset (every table, Docker's and lxc-net's too)",
    scope: "machine",
    inject: injectOnly((h) => h.machine.run(["nft", "flush", "ruleset"])),
    restore: restartBridgeService,
  }),
  held({
    name: "lxc-net-restarted",
    what: "operator (7): systemctl restart lxc-net",
    scope: "machine",
    only: "lxc",
    inject: injectOnly((h) => h.machine.run(["systemctl", "restart", "lxc-net"])),
  }),
  held({
    name: "docker-restarted",
    what: "operator (7): systemctl restart docker (containers come back by --restart always)",
    scope: "machine",
    only: "docker",
    inject: injectOnly((h) => h.machine.run(["systemctl", "restart", "docker"])),
  }),
  held({
    name: "etcd-tls-rotated",
    what: "operator (8): new etcd CA and certificates, sent to every unit by relation-changed",
    scope: "world",
    inject: async (ctx) => {
      await rotateEtcdTls(ctx.world);
      const tls = ctx.world.etcd.tls;
      if (tls) ctx.secrets.add(tls.key);
      await Promise.all(
        ctx.hosts.map((h) =>
          ctx.hooks.run(h.unit, "relation-changed (new certificates)", () =>
            h.unit.remoteChange(h.relationId, "etcd/0", ctx.etcdData()),
          ),
        ),
      );
      return undefined;
    },
  }),
  held({
    name: "subnets-exhausted",
    what: "scale (9): every free /24 leased to an address no unit has; hooks run meanwhile; leases freed after the hold",
    scope: "world",
    holdS: [15, 30],
    inject: async (ctx) => {
      const keys = await squatFreeSubnets(ctx);
      await updateAll(ctx);
      return async () =>
        etcdTxn(
          ctx,
          keys.map((k) => `del ${NETWORK_PREFIX}/subnets/${k}`),
        );
    },
  }),
  held({
    name: "units-redeployed-at-once",
    what: "scale (10): every unit runs its install…start hooks again at the same moment (a charm refresh)",
    scope: "world",
    inject: async (ctx) => {
      await Promise.all(
        ctx.hosts.map((h) =>
          ctx.hooks.run(h.unit, "upgrade-charm at once", () => h.unit.operate("upgrade-charm")),
        ),
      );
      return undefined;
    },
  }),
  held({
    name: "underlay-partition",
    what: "network (11): the underlay between two machines cut both ways, healed after the hold",
    scope: "pair",
    holdS: [15, 25],
    inject: async (_, targets) => {
      const [a, b] = targets as [Host, Host];
      await a.machine.partitionFrom(b.machine, true);
      return () => a.machine.partitionFrom(b.machine, false);
    },
  }),
  held({
    name: "underlay-loss",
    what: "network: 40 % of the machine's underlay frames dropped, cleared after the hold",
    scope: "machine",
    holdS: [10, 20],
    inject: async (_, targets) => {
      const m = one(targets).machine;
      await m.setLinkFaults({ lossPercent: 40 });
      return () => m.setLinkFaults({ lossPercent: 0 });
    },
  }),
  held({
    name: "unit-renumbered",
    what: "operator (12): the machine's underlay address changes (config-changed), changed back after the hold",
    scope: "machine",
    holdS: [20, 30],
    inject: async (ctx, targets) => {
      const host = one(targets);
      const original = host.address;
      const moved = original.replace(/\.(\d+)$/, (_, last: string) => `.${Number(last) + 50}`);
      await renumber(ctx, host, moved);
      return () => renumber(ctx, host, original);
    },
  }),
  held({
    name: "bad-config",
    what: "operator (14): juju config network=banana on one unit, put back after the hold",
    scope: "machine",
    holdS: [10, 20],
    inject: async (ctx, targets) => {
      const host = one(targets);
      await ctx.hooks.run(host.unit, "config-changed network=banana", () =>
        host.unit.configure({ network: "banana" }),
      );
      return async () => {
        await ctx.hooks.run(host.unit, "config-changed network back", () =>
          host.unit.configure({ network: "10.10.0.0/16" }),
        );
      };
    },
  }),
  held({
    name: "bad-relation-data",
    what: "broken etcd charm (14): connection_string garbage on one unit's relation, good data after the hold",
    scope: "machine",
    holdS: [10, 20],
    inject: async (ctx, targets) => {
      const host = one(targets);
      const bad = { ...ctx.etcdData(), connection_string: "http://[::1:2379,$(reboot)" };
      await ctx.hooks.run(host.unit, "relation-changed (bad data)", () =>
        host.unit.remoteChange(host.relationId, "etcd/0", bad),
      );
      return async () => {
        await ctx.hooks.run(host.unit, "relation-changed (good data)", () =>
          host.unit.remoteChange(host.relationId, "etcd/0", ctx.etcdData()),
        );
      };
    },
  }),
];
