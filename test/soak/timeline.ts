import type { Scope } from "./plan";

// When each fault was injected, stopped and closed: the record every invariant consults to say which faults
// were in effect at a moment, and whether a broken machine had a cause on itself.

export interface FaultEvent {
  n: number;
  kind: string;
  scope: Scope;
  targets: string[];
  plannedAtS: number;
  holdS: number;
  injectedAt?: number;
  /** When the fault stopped: healed (held faults) or done being injected (drifts). */
  stoppedAt?: number;
  /** stoppedAt + update-status interval + 10 s. */
  windowEnd?: number;
  /** After the window: leftovers checked and, if needed, restored by hand. */
  closedAt?: number;
  /** Seconds from the stop until every pair it touches answered again; null when some never did. */
  recoveryS?: number | null;
  /** What the charm left unrepaired after the window, if anything. */
  leftover?: string;
  /** Restored by hand after the window (the charm did not repair it in time). */
  restored?: boolean;
  /** The injection itself failed (harness or world error), with the message. */
  error?: string;
}

export class Timeline {
  readonly events: FaultEvent[] = [];

  add(event: FaultEvent): FaultEvent {
    this.events.push(event);
    return event;
  }

  /** Faults injected and not yet closed at `now`. */
  inEffect(now: number): FaultEvent[] {
    return this.events.filter(
      (e) =>
        e.injectedAt !== undefined && e.injectedAt <= now && (e.closedAt === undefined || e.closedAt > now),
    );
  }

  /** Whether the fault touches the machine `name` (world faults touch all). */
  static touches(event: FaultEvent, name: string): boolean {
    return event.scope === "world" || event.targets.includes(name);
  }

  /** Names of the faults in effect that touch any of `machines`, e.g. "7 bridge-deleted@m2". */
  labelsAt(now: number, machines?: string[]): string[] {
    return this.inEffect(now)
      .filter((e) => machines === undefined || machines.some((m) => Timeline.touches(e, m)))
      .map(label);
  }

  /**
   * The deadline by which a pair between `a` and `b` must answer: undefined while a fault touching either is
   * still held (not stopped), else the latest window end of those faults (or `since` when there was none).
   */
  recoveryDeadline(a: string, b: string, since: number): number | undefined {
    let deadline = since;
    for (const e of this.events) {
      if (e.injectedAt === undefined || !(Timeline.touches(e, a) || Timeline.touches(e, b))) continue;
      if (e.windowEnd === undefined) return undefined;
      deadline = Math.max(deadline, e.windowEnd);
    }
    return deadline;
  }

  /** A fault on this very machine (not the underlay between machines, not etcd) is in effect. */
  localCause(name: string, now: number): FaultEvent | undefined {
    return this.inEffect(now).find((e) => e.scope === "machine" && e.targets.includes(name));
  }
}

export function label(e: FaultEvent): string {
  return `#${e.n} ${e.kind}${e.targets.length > 0 ? `@${e.targets.join("+")}` : ""}`;
}
