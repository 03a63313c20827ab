import { CAMPAIGN } from "./catalogue-campaign";
import { DRIFTS } from "./catalogue-drift";
import type { FaultKind } from "./context";

/** Every fault kind the soak draws from: the campaign's scenarios, then the drifts of what the charm owns. */
export const CATALOGUE: readonly FaultKind[] = [...CAMPAIGN, ...DRIFTS];

/** The kind called `name`; throws naming the known kinds. */
export function kindNamed(name: string): FaultKind {
  const kind = CATALOGUE.find((k) => k.name === name);
  if (!kind) throw new Error(`no fault kind '${name}'; known: ${CATALOGUE.map((k) => k.name).join(", ")}`);
  return kind;
}
