import { type ObserveOptions as MachineOptions, observeMachine } from "../machine/facts";
import { CHARM_STATE_PATH, readCharmState } from "../state/charm-state";
import type { HealthObservation } from "./health";

export interface ObserveOptions extends MachineOptions {
  readonly statePath?: string;
}

// Health runs on every `juju exec … ./health`, so it uses no execa, no systemctl and no hook tools: the
// machine's facts are the ones hooks plan from (machine/facts.ts), the rest is what the last hook left.
/** Gathers what health looks at: the hooks' state and the machine's data path. */
export async function observeHealth(options: ObserveOptions = {}): Promise<HealthObservation> {
  const state = await readCharmState(options.statePath ?? CHARM_STATE_PATH);
  const scope = { containerType: state?.containerType ?? "none", backend: state?.backend ?? "udp" } as const;
  return { state, facts: await observeMachine(scope, options) };
}
