import type { StatusState } from "../juju/status";

/** What a hook concludes about the unit: Juju's workload status plus its message. */
export interface UnitStatus {
  readonly state: StatusState;
  readonly message: string;
}

/** Thrown by a reconcile step that cannot go on; reconcile turns it into the unit's status. */
export class StatusStop extends Error {
  constructor(readonly status: UnitStatus) {
    super(`${status.state}: ${status.message}`);
    this.name = "StatusStop";
  }
}

/** Stops reconciling with a problem only an operator can fix; the message says how. */
export function blocked(message: string): never {
  throw new StatusStop({ state: "blocked", message });
}

/** Stops reconciling until something outside the charm settles (etcd, the lease); update-status retries. */
export function waiting(message: string): never {
  throw new StatusStop({ state: "waiting", message });
}

export function active(message: string): UnitStatus {
  return { state: "active", message };
}
