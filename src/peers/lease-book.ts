/**
 * The leader's record, in the peer relation's application bag, of which underlay addresses belong to this
 * application's units: only a lease whose PublicIP is in here, of a unit that is gone, is ever reclaimed.
 */
export interface LeaseBook {
  /** Live units as last seen: unit -> the PublicIP its flanneld registers. */
  readonly units: Readonly<Record<string, string>>;
  /** Units gone without freeing their lease: unit -> its address and when it was first missed (ms). */
  readonly departed: Readonly<Record<string, { readonly ip: string; readonly since: number }>>;
  /** The last reclaim, shown in the application status for a while. */
  readonly reclaimed?: { readonly unit: string; readonly subnets: readonly string[]; readonly at: number };
}

export interface LiveUnit {
  readonly unit: string;
  readonly ip: string | undefined;
}

export interface BookUpdate {
  readonly book: LeaseBook;
  /** Departed units whose grace period is over: reclaim leases with exactly their address. */
  readonly due: readonly { readonly unit: string; readonly ip: string }[];
}

const KEYS = ["units", "departed", "reclaimed"] as const;

/** Reads the book from the application bag; a missing or garbled field starts empty. */
export function parseLeaseBook(data: Record<string, string>): LeaseBook {
  const [units, departed, reclaimed] = KEYS.map((key) => parseJson(data[key]));
  return {
    units: isRecord(units) ? (units as LeaseBook["units"]) : {},
    departed: isRecord(departed) ? (departed as LeaseBook["departed"]) : {},
    ...(isRecord(reclaimed) ? { reclaimed: reclaimed as unknown as LeaseBook["reclaimed"] } : {}),
  };
}

export function renderLeaseBook(book: LeaseBook): Record<string, string> {
  return {
    units: JSON.stringify(book.units),
    departed: JSON.stringify(book.departed),
    reclaimed: book.reclaimed ? JSON.stringify(book.reclaimed) : "",
  };
}

/**
 * Records the live units and moves the missing ones to `departed`. A departed address that a live unit
 * uses again is dropped (never reclaim a live lease); one past its grace period is due. Nothing is due
 * while some live unit has not told its address yet, since it might be the departed one's address.
 */
export function updateLeaseBook(
  book: LeaseBook,
  live: readonly LiveUnit[],
  now: number,
  graceMs: number,
): BookUpdate {
  const liveNames = new Set(live.map((u) => u.unit));
  const liveIps = new Set(live.flatMap((u) => (u.ip ? [u.ip] : [])));
  const units = { ...book.units };
  const departed = { ...book.departed };
  for (const { unit, ip } of live) if (ip) units[unit] = ip;
  for (const [unit, ip] of Object.entries(units)) {
    if (liveNames.has(unit)) continue;
    delete units[unit];
    departed[unit] ??= { ip, since: now };
  }
  for (const [unit, entry] of Object.entries(departed))
    if (liveIps.has(entry.ip) || liveNames.has(unit)) delete departed[unit];
  const everyoneKnown = live.every((u) => u.ip !== undefined);
  const due = Object.entries(departed)
    .filter(([, entry]) => everyoneKnown && now - entry.since >= graceMs)
    .map(([unit, entry]) => ({ unit, ip: entry.ip }));
  return { book: { ...book, units, departed }, due };
}

/** Marks a departed unit's leases as reclaimed (subnets as flannel keys them, e.g. 10.10.5.0-24). */
export function markReclaimed(
  book: LeaseBook,
  unit: string,
  subnets: readonly string[],
  now: number,
): LeaseBook {
  const departed = { ...book.departed };
  delete departed[unit];
  return { ...book, departed, reclaimed: { unit, subnets, at: now } };
}

const SHOW_RECLAIMED_MS = 3_600_000;

/** What the application status adds about leases: pending reclaims, and a reclaim in the last hour. */
export function describeLeaseBook(book: LeaseBook, now: number): string[] {
  const notes = Object.keys(book.departed)
    .sort()
    .map((unit) => `${unit} gone, its lease awaits reclaim`);
  const last = book.reclaimed;
  if (last && now - last.at < SHOW_RECLAIMED_MS && last.subnets.length > 0) {
    notes.push(`reclaimed ${last.unit}'s lease ${last.subnets.map((s) => s.replace("-", "/")).join(", ")}`);
  }
  return notes;
}

function parseJson(text: string | undefined): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
