import { describe, expect, it } from "vitest";
import {
  busyboxPing,
  describeUnreachable,
  type Pinger,
  parsePingOutput,
  probePeers,
  renderActionResults,
  renderProbeLine,
} from "../../src/peers/mesh";

const BUSYBOX_OK = `PING 10.10.16.1 (10.10.16.1): 56 data bytes

--- 10.10.16.1 ping statistics ---
3 packets transmitted, 3 packets received, 0% packet loss
round-trip min/avg/max = 0.402/1.234/2.101 ms
`;
const BUSYBOX_LOST = `PING 10.10.5.1 (10.10.5.1): 56 data bytes

--- 10.10.5.1 ping statistics ---
3 packets transmitted, 0 packets received, 100% packet loss
`;
const IPUTILS_OK = `--- 10.10.16.1 ping statistics ---
3 packets transmitted, 2 received, 33.3333% packet loss, time 402ms
rtt min/avg/max/mdev = 0.050/0.071/0.092/0.021 ms
`;

describe("ping output", () => {
  it("reads busybox's and iputils' summaries", () => {
    expect(parsePingOutput(BUSYBOX_OK)).toEqual({ sent: 3, received: 3, rttMs: 1.234 });
    expect(parsePingOutput(BUSYBOX_LOST)).toEqual({ sent: 3, received: 0 });
    expect(parsePingOutput(IPUTILS_OK)).toEqual({ sent: 3, received: 2, rttMs: 0.071 });
    expect(parsePingOutput("ping: sendto: Network unreachable\n")).toBeUndefined();
  });
});

describe("probing peers", () => {
  const outputs: Record<string, string> = { "10.10.16.1": BUSYBOX_OK, "10.10.5.1": BUSYBOX_LOST };
  const fakePing: Pinger = async (args) => ({ exitCode: 0, output: outputs[args.at(-1) ?? ""] ?? "" });
  const targets = [
    { unit: "flannel/1", subnet: "10.10.16.1/24", address: "10.10.16.1" },
    { unit: "flannel/2", subnet: "10.10.5.1/24", address: "10.10.5.1" },
    { unit: "flannel/3" },
  ];

  it("gives one result per peer, in order: reachable, lost, never published", async () => {
    const results = await probePeers(targets, fakePing);
    expect(results.map(renderProbeLine)).toEqual([
      "flannel/1 subnet:10.10.16.1/24 address:10.10.16.1 sent:3 received:3 rtt:1.23ms reachable",
      "flannel/2 subnet:10.10.5.1/24 address:10.10.5.1 sent:3 received:0 rtt:- unreachable",
      "flannel/3 subnet:unknown address:unknown sent:0 received:0 rtt:- unreachable problem:no-overlay-address-published",
    ]);
    expect(describeUnreachable(results)).toBe(
      "unreachable through the overlay: flannel/2 (10.10.5.1), flannel/3 (no address)",
    );
    expect(renderActionResults(results.slice(0, 1))).toEqual({
      peers: "1",
      "flannel-1.unit": "flannel/1",
      "flannel-1.subnet": "10.10.16.1/24",
      "flannel-1.address": "10.10.16.1",
      "flannel-1.sent": "3",
      "flannel-1.received": "3",
      "flannel-1.rtt-ms": "1.23",
      "flannel-1.status": "reachable",
    });
  });

  it("probes all peers at once, each ping bounded by -w 3", async () => {
    let running = 0;
    let most = 0;
    const seen: (readonly string[])[] = [];
    const slowPing: Pinger = async (args) => {
      seen.push(args);
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running--;
      return { exitCode: 0, output: BUSYBOX_OK };
    };
    const many = Array.from({ length: 64 }, (_, i) => ({ unit: `flannel/${i}`, address: `10.10.${i}.1` }));
    expect(await probePeers(many, slowPing)).toHaveLength(64);
    expect(most).toBe(64);
    expect(seen[0]).toEqual(["-q", "-c", "3", "-i", "0.2", "-W", "1", "-w", "3", "10.10.0.1"]);
  });

  it("runs the real busybox ping (loopback only)", async () => {
    const [result] = await probePeers([{ unit: "flannel/9", address: "127.0.0.1" }], busyboxPing);
    expect(result).toMatchObject({ sent: 3, received: 3, reachable: true });
    expect(result?.rttMs).toBeGreaterThan(0);
  });
});
