import { describe, expect, it } from "vitest";
import { networkOf } from "../../src/metrics/collect";
import { renderMetrics } from "../../src/metrics/render";
import type { MetricsSnapshot } from "../../src/metrics/snapshot";

const READY: MetricsSnapshot = {
  unit: "flannel/0",
  ready: true,
  reason: "none",
  backend: "udp",
  network: "10.10.0.0/16",
  subnet: "10.10.16.0/24",
  mtu: 1472,
  flanneldUp: true,
  flanneldRestarts: 2,
  flanneldStartSeconds: 1796567000,
  capacity: 255,
  leases: { etcdUp: true, held: 3, present: true, ageSeconds: 120, expirySeconds: 86280 },
  peers: [
    {
      unit: "flannel/1",
      subnet: "10.10.11.0/24",
      address: "10.10.11.1",
      reachable: true,
      rttSeconds: 0.00192,
      lossRatio: 0,
    },
    {
      unit: "flannel/2",
      subnet: "10.10.84.0/24",
      address: "10.10.84.1",
      reachable: false,
      rttSeconds: undefined,
      lossRatio: 1,
    },
  ],
  collectedSeconds: 1796567883,
  durationSeconds: 0.4125,
};

describe("renderMetrics", () => {
  it("renders every family of a ready unit with two peers, exactly", () => {
    expect(renderMetrics(READY)).toBe(
      [
        "# HELP flannel_ready 1 when ./health says ready, else 0; reason is its reason token (none when ready)",
        "# TYPE flannel_ready gauge",
        'flannel_ready{unit="flannel/0",reason="none"} 1',
        "# HELP flannel_lease_info The subnet this unit leased, its network and the backend (always 1)",
        "# TYPE flannel_lease_info gauge",
        'flannel_lease_info{unit="flannel/0",subnet="10.10.16.0/24",network="10.10.0.0/16",backend="udp"} 1',
        "# HELP flannel_lease_present 1 when etcd holds this unit's lease key, 0 when it is missing",
        "# TYPE flannel_lease_present gauge",
        'flannel_lease_present{unit="flannel/0"} 1',
        "# HELP flannel_lease_age_seconds Seconds since flanneld granted or renewed its lease in etcd",
        "# TYPE flannel_lease_age_seconds gauge",
        'flannel_lease_age_seconds{unit="flannel/0"} 120',
        "# HELP flannel_lease_expiry_seconds Seconds until this unit's lease expires in etcd unless renewed",
        "# TYPE flannel_lease_expiry_seconds gauge",
        'flannel_lease_expiry_seconds{unit="flannel/0"} 86280',
        "# HELP flannel_flanneld_up 1 when flannel.service has a running process, else 0",
        "# TYPE flannel_flanneld_up gauge",
        'flannel_flanneld_up{unit="flannel/0"} 1',
        "# HELP flannel_flanneld_restarts_total Automatic restarts of flannel.service (systemd's NRestarts)",
        "# TYPE flannel_flanneld_restarts_total counter",
        'flannel_flanneld_restarts_total{unit="flannel/0"} 2',
        "# HELP flannel_flanneld_start_time_seconds When the running flanneld started, in Unix seconds",
        "# TYPE flannel_flanneld_start_time_seconds gauge",
        'flannel_flanneld_start_time_seconds{unit="flannel/0"} 1796567000',
        "# HELP flannel_overlay_mtu_bytes The overlay MTU from subnet.env (the container bridge's MTU)",
        "# TYPE flannel_overlay_mtu_bytes gauge",
        'flannel_overlay_mtu_bytes{unit="flannel/0"} 1472',
        "# HELP flannel_peer_reachable 1 when the peer answered echoes through the overlay, else 0",
        "# TYPE flannel_peer_reachable gauge",
        'flannel_peer_reachable{unit="flannel/0",peer="flannel/1",peer_subnet="10.10.11.0/24",peer_address="10.10.11.1"} 1',
        'flannel_peer_reachable{unit="flannel/0",peer="flannel/2",peer_subnet="10.10.84.0/24",peer_address="10.10.84.1"} 0',
        "# HELP flannel_peer_rtt_seconds Average round trip to the peer through the overlay",
        "# TYPE flannel_peer_rtt_seconds gauge",
        'flannel_peer_rtt_seconds{unit="flannel/0",peer="flannel/1",peer_subnet="10.10.11.0/24",peer_address="10.10.11.1"} 0.00192',
        "# HELP flannel_peer_loss_ratio Echoes to the peer lost, over those sent (0 to 1)",
        "# TYPE flannel_peer_loss_ratio gauge",
        'flannel_peer_loss_ratio{unit="flannel/0",peer="flannel/1",peer_subnet="10.10.11.0/24",peer_address="10.10.11.1"} 0',
        'flannel_peer_loss_ratio{unit="flannel/0",peer="flannel/2",peer_subnet="10.10.84.0/24",peer_address="10.10.84.1"} 1',
        "# HELP flannel_peers Peers this unit probes (from the last hook's peer relation)",
        "# TYPE flannel_peers gauge",
        'flannel_peers{unit="flannel/0"} 2',
        "# HELP flannel_etcd_up 1 when etcd answered this collection's lease read, else 0",
        "# TYPE flannel_etcd_up gauge",
        'flannel_etcd_up{unit="flannel/0"} 1',
        "# HELP flannel_network_leases Leases the network holds in etcd under the charm's prefix",
        "# TYPE flannel_network_leases gauge",
        'flannel_network_leases{unit="flannel/0"} 3',
        "# HELP flannel_network_lease_capacity Leases the network can hold (subnets of network with subnet-len)",
        "# TYPE flannel_network_lease_capacity gauge",
        'flannel_network_lease_capacity{unit="flannel/0"} 255',
        "# HELP flannel_collect_time_seconds When these figures were collected, in Unix seconds",
        "# TYPE flannel_collect_time_seconds gauge",
        'flannel_collect_time_seconds{unit="flannel/0"} 1796567883',
        "# HELP flannel_collect_duration_seconds How long collecting these figures took",
        "# TYPE flannel_collect_duration_seconds gauge",
        'flannel_collect_duration_seconds{unit="flannel/0"} 0.4125',
        "",
      ].join("\n"),
    );
  });

  it("leaves out what was not learnt and names the reason of a unit not ready", () => {
    const text = renderMetrics({
      ...READY,
      ready: false,
      reason: "no-lease",
      subnet: undefined,
      mtu: undefined,
      flanneldRestarts: undefined,
      flanneldStartSeconds: undefined,
      leases: { etcdUp: false },
      peers: [],
    });
    expect(text).toContain('flannel_ready{unit="flannel/0",reason="no-lease"} 0\n');
    expect(text).toContain('flannel_etcd_up{unit="flannel/0"} 0\n');
    for (const absent of [
      "lease_info",
      "overlay_mtu",
      "restarts_total",
      "start_time",
      "peer_",
      "network_leases ",
    ])
      expect(text).not.toContain(`flannel_${absent}`);
  });

  it("escapes quotes, backslashes and newlines in label values", () => {
    const text = renderMetrics({ ...READY, unit: 'a"b\\c\nd', peers: [] });
    expect(text).toContain('flannel_ready{unit="a\\"b\\\\c\\nd",reason="none"} 1\n');
  });

  it("is what promtool accepts as exposition text", async () => {
    const { execa } = await import("execa");
    const result = await execa("promtool", ["check", "metrics"], {
      input: renderMetrics(READY),
      reject: false,
      all: true,
    });
    expect(result.all).toBe("");
    expect(result.exitCode).toBe(0);
  });
});

describe("networkOf", () => {
  it.each([
    ["10.10.16.1/24", "10.10.16.0/24"],
    ["10.10.16.1/22", "10.10.16.0/22"],
    ["10.10.19.1/22", "10.10.16.0/22"],
    ["192.168.255.1/16", "192.168.0.0/16"],
  ])("%s is in %s", (cidr, network) => {
    expect(networkOf(cidr)).toBe(network);
  });
});
