/** What each unit publishes on the `overlay` peer relation (interface flannel-mesh). */
export interface PeerReport {
  /** The lease flanneld holds, as subnet.env writes it, e.g. 10.10.16.1/24. */
  readonly subnet?: string;
  /** The underlay address flanneld registered its lease with. */
  readonly publicIp?: string;
  readonly backend?: string;
  readonly flanneldVersion?: string;
  /** The unit's ./health line. */
  readonly health?: string;
  /** Where peers probe this unit through the overlay: its bridge gateway, else its flannel device. */
  readonly overlayAddress?: string;
  /** The resource (size:mtime) of a new flanneld staged and checked, waiting for this unit's turn. */
  readonly upgradeWanted?: string;
  /** The resource the running flanneld came from; published only while the unit is ready. */
  readonly flanneldStamp?: string;
  /** SHA-256 fingerprint of a renewed client certificate this unit waits to switch to (or just switched to). */
  readonly clientCertWanted?: string;
  /** SHA-256 fingerprint of the client certificate the running flanneld uses; published only while ready. */
  readonly clientCert?: string;
}

/** A unit and what it published. */
export interface Peer {
  readonly unit: string;
  readonly report: PeerReport;
}

const KEYS: Record<keyof PeerReport, string> = {
  subnet: "subnet",
  publicIp: "public-ip",
  backend: "backend",
  flanneldVersion: "flanneld-version",
  health: "health",
  overlayAddress: "overlay-address",
  upgradeWanted: "upgrade-wanted",
  flanneldStamp: "flanneld-stamp",
  clientCertWanted: "client-cert-wanted",
  clientCert: "client-cert",
};

/** Relation settings for a report; a field that is unknown becomes "" so that relation-set deletes it. */
export function renderPeerReport(report: PeerReport): Record<string, string> {
  return Object.fromEntries(
    Object.entries(KEYS).map(([field, key]) => [key, report[field as keyof PeerReport] ?? ""]),
  );
}

/** Reads a report back from relation settings, ignoring keys it does not know. */
export function parsePeerReport(data: Record<string, string>): PeerReport {
  const entries = Object.entries(KEYS)
    .map(([field, key]) => [field, data[key]])
    .filter(([, value]) => value !== undefined && value !== "");
  return Object.fromEntries(entries) as PeerReport;
}

/** Whether a unit's health line says it is ready. */
export function isReady(report: PeerReport): boolean {
  return report.health?.startsWith("ready") ?? false;
}
