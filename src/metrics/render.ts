// The textfile in Prometheus' text exposition format: one HELP and TYPE per family, base units in the
// names, and the unit on every sample so that a series names its machine without relabelling.
import type { MetricsSnapshot, PeerSample } from "./snapshot";

type Labels = Readonly<Record<string, string>>;
interface Family {
  readonly name: string;
  readonly type: "gauge" | "counter";
  readonly help: string;
  readonly samples: readonly { readonly labels: Labels; readonly value: number }[];
}

/** Renders a snapshot as node-exporter's textfile collector reads it; families without samples are left out. */
export function renderMetrics(snapshot: MetricsSnapshot): string {
  return familiesOf(snapshot)
    .filter((family) => family.samples.length > 0)
    .map(renderFamily)
    .join("");
}

function familiesOf(s: MetricsSnapshot): Family[] {
  const unit = { unit: s.unit };
  const one = (value: number | undefined, labels: Labels = unit) =>
    value === undefined ? [] : [{ labels, value }];
  const info = s.subnet === undefined ? undefined : 1;
  const infoLabels = { ...unit, subnet: s.subnet ?? "", network: s.network ?? "", backend: s.backend };
  return [
    gauge(
      "flannel_ready",
      "1 when ./health says ready, else 0; reason is its reason token (none when ready)",
      [{ labels: { ...unit, reason: s.ready ? "none" : s.reason }, value: s.ready ? 1 : 0 }],
    ),
    gauge(
      "flannel_lease_info",
      "The subnet this unit leased, its network and the backend (always 1)",
      one(info, infoLabels),
    ),
    gauge(
      "flannel_lease_present",
      "1 when etcd holds this unit's lease key, 0 when it is missing",
      one(bool(s.leases.present)),
    ),
    gauge(
      "flannel_lease_age_seconds",
      "Seconds since flanneld granted or renewed its lease in etcd",
      one(s.leases.ageSeconds),
    ),
    gauge(
      "flannel_lease_expiry_seconds",
      "Seconds until this unit's lease expires in etcd unless renewed",
      one(s.leases.expirySeconds),
    ),
    gauge(
      "flannel_flanneld_up",
      "1 when flannel.service has a running process, else 0",
      one(s.flanneldUp ? 1 : 0),
    ),
    counter(
      "flannel_flanneld_restarts_total",
      "Automatic restarts of flannel.service (systemd's NRestarts)",
      one(s.flanneldRestarts),
    ),
    gauge(
      "flannel_flanneld_start_time_seconds",
      "When the running flanneld started, in Unix seconds",
      one(s.flanneldStartSeconds),
    ),
    gauge(
      "flannel_overlay_mtu_bytes",
      "The overlay MTU from subnet.env (the container bridge's MTU)",
      one(s.mtu),
    ),
    gauge(
      "flannel_peer_reachable",
      "1 when the peer answered echoes through the overlay, else 0",
      peerSamples(s, (p) => (p.reachable ? 1 : 0)),
    ),
    gauge(
      "flannel_peer_rtt_seconds",
      "Average round trip to the peer through the overlay",
      peerSamples(s, (p) => p.rttSeconds),
    ),
    gauge(
      "flannel_peer_loss_ratio",
      "Echoes to the peer lost, over those sent (0 to 1)",
      peerSamples(s, (p) => p.lossRatio),
    ),
    gauge(
      "flannel_peers",
      "Peers this unit probes (from the last hook's peer relation)",
      one(s.peers.length),
    ),
    gauge(
      "flannel_etcd_up",
      "1 when etcd answered this collection's lease read, else 0",
      one(s.leases.etcdUp ? 1 : 0),
    ),
    gauge(
      "flannel_network_leases",
      "Leases the network holds in etcd under the charm's prefix",
      one(s.leases.held),
    ),
    gauge(
      "flannel_network_lease_capacity",
      "Leases the network can hold (subnets of network with subnet-len)",
      one(s.capacity),
    ),
    gauge(
      "flannel_collect_time_seconds",
      "When these figures were collected, in Unix seconds",
      one(s.collectedSeconds),
    ),
    gauge(
      "flannel_collect_duration_seconds",
      "How long collecting these figures took",
      one(s.durationSeconds),
    ),
  ];
}

function gauge(name: string, help: string, samples: Family["samples"]): Family {
  return { name, type: "gauge", help, samples };
}

function counter(name: string, help: string, samples: Family["samples"]): Family {
  return { name, type: "counter", help, samples };
}

function bool(value: boolean | undefined): number | undefined {
  return value === undefined ? undefined : value ? 1 : 0;
}

function peerSamples(s: MetricsSnapshot, value: (peer: PeerSample) => number | undefined) {
  return s.peers.flatMap((peer) => {
    const v = value(peer);
    const labels = { unit: s.unit, peer: peer.unit, peer_subnet: peer.subnet, peer_address: peer.address };
    return v === undefined ? [] : [{ labels, value: v }];
  });
}

function renderFamily(family: Family): string {
  const head = `# HELP ${family.name} ${family.help}\n# TYPE ${family.name} ${family.type}\n`;
  return (
    head +
    family.samples.map((s) => `${family.name}${renderLabels(s.labels)} ${formatValue(s.value)}\n`).join("")
  );
}

function renderLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
}

// The exposition format escapes backslash, double quote and newline in label values.
function escapeLabel(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

// Whole numbers as integers, others with at most 6 decimals (µs for durations): stable text for tests.
function formatValue(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toFixed(6)));
}
