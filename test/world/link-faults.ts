import { runHost } from "./run";

// This kernel has no sch_netem (CONFIG_NET_SCH_NETEM unset), so delay cannot be emulated. Loss is done with
// nftables in the underlay namespace, and rate with tbf on the underlay side of the veth.

const TABLE = "fcw_faults";

export interface LinkFaults {
  /** Percent of frames dropped in each direction on this machine's link, 0 to clear. */
  lossPercent?: number;
  /** Rate limit towards the machine in Mbit/s, 0 to clear. */
  rateMbit?: number;
}

/** Applies loss and rate limits to the bridge port `port` inside the underlay namespace. */
export async function setLinkFaults(underlay: string, port: string, faults: LinkFaults): Promise<void> {
  if (faults.lossPercent !== undefined) await setLoss(underlay, port, faults.lossPercent);
  if (faults.rateMbit !== undefined) await setRate(underlay, port, faults.rateMbit);
}

async function setLoss(underlay: string, port: string, percent: number): Promise<void> {
  const chain = `loss_${port}`;
  await nft(underlay, ["add", "table", "bridge", TABLE]);
  await nft(underlay, ["add", "chain", "bridge", TABLE, chain, "{ type filter hook forward priority 0; }"]);
  await nft(underlay, ["flush", "chain", "bridge", TABLE, chain]);
  if (percent <= 0) return;
  // numgen gives 0..99 per frame: dropping those below `percent` drops that share of frames, both ways.
  const share = percent >= 100 ? [] : ["numgen", "random", "mod", "100", "<", String(Math.round(percent))];
  for (const direction of ["iifname", "oifname"]) {
    await nft(underlay, ["add", "rule", "bridge", TABLE, chain, direction, port, ...share, "drop"]);
  }
}

async function setRate(underlay: string, port: string, mbit: number): Promise<void> {
  await runHost(["ip", "netns", "exec", underlay, "tc", "qdisc", "del", "dev", port, "root"]).catch(
    () => undefined,
  );
  if (mbit <= 0) return;
  const tbf = ["rate", `${mbit}mbit`, "burst", "32kbit", "latency", "50ms"];
  await runHost(["ip", "netns", "exec", underlay, "tc", "qdisc", "add", "dev", port, "root", "tbf", ...tbf]);
}

function nft(netns: string, args: string[]): Promise<string> {
  return runHost(["ip", "netns", "exec", netns, "nft", ...args]);
}

/** Drops every frame between the bridge ports `a` and `b` (both ways) in the underlay, or lets them through again. */
export async function setPartition(underlay: string, a: string, b: string, drop: boolean): Promise<void> {
  const chain = `cut_${a}_${b}`;
  await nft(underlay, ["add", "table", "bridge", TABLE]);
  await nft(underlay, ["add", "chain", "bridge", TABLE, chain, "{ type filter hook forward priority 0; }"]);
  await nft(underlay, ["flush", "chain", "bridge", TABLE, chain]);
  if (!drop) return;
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    await nft(underlay, ["add", "rule", "bridge", TABLE, chain, "iifname", from, "oifname", to, "drop"]);
  }
}

/** Drops UDP to and from `udpPort` on the bridge port `port` (e.g. the overlay's 8285), or lets it through. */
export async function setUdpCut(
  underlay: string,
  port: string,
  udpPort: number,
  drop: boolean,
): Promise<void> {
  const chain = `udp_${port}_${udpPort}`;
  await nft(underlay, ["add", "table", "bridge", TABLE]);
  await nft(underlay, ["add", "chain", "bridge", TABLE, chain, "{ type filter hook forward priority 0; }"]);
  await nft(underlay, ["flush", "chain", "bridge", TABLE, chain]);
  if (!drop) return;
  for (const [direction, field] of [
    ["iifname", "sport"],
    ["iifname", "dport"],
    ["oifname", "sport"],
    ["oifname", "dport"],
  ] as const) {
    await nft(underlay, [
      "add",
      "rule",
      "bridge",
      TABLE,
      chain,
      direction,
      port,
      "udp",
      field,
      String(udpPort),
      "drop",
    ]);
  }
}
