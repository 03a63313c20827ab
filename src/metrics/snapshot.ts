// What one collection found: every figure the textfile carries, before it is rendered. Plain data, so the
// rendering is pure and tested against exact text.

/** One peer as the mesh probe (peers/mesh.ts) saw it. */
export interface PeerSample {
  readonly unit: string;
  readonly subnet: string;
  readonly address: string;
  readonly reachable: boolean;
  /** Average round trip in seconds; undefined without replies. */
  readonly rttSeconds: number | undefined;
  /** Lost echoes over sent ones, 1 when none could be sent. */
  readonly lossRatio: number;
}

/** What etcd says about the network's leases; undefined fields were not learnt (etcd unreachable). */
export interface LeaseSample {
  /** Whether etcd answered at all. */
  readonly etcdUp: boolean;
  /** Leases under the prefix (this application's and any other's sharing it). */
  readonly held?: number;
  /** Whether this unit's lease key exists in etcd. */
  readonly present?: boolean;
  /** Seconds since flanneld last granted or renewed the lease, and until it expires. */
  readonly ageSeconds?: number;
  readonly expirySeconds?: number;
}

export interface MetricsSnapshot {
  readonly unit: string;
  /** ./health's verdict: ready, else the reason token. */
  readonly ready: boolean;
  readonly reason: string;
  readonly backend: string;
  readonly network: string | undefined;
  /** The leased subnet (network address/len) and the overlay MTU from subnet.env; undefined without one. */
  readonly subnet: string | undefined;
  readonly mtu: number | undefined;
  readonly flanneldUp: boolean;
  /** systemd's NRestarts of flannel.service; undefined when systemd could not say. */
  readonly flanneldRestarts: number | undefined;
  /** When the running flanneld started, in Unix seconds. */
  readonly flanneldStartSeconds: number | undefined;
  readonly capacity: number | undefined;
  readonly leases: LeaseSample;
  readonly peers: readonly PeerSample[];
  /** When this collection ran, and how long it took (seconds). */
  readonly collectedSeconds: number;
  readonly durationSeconds: number;
}
