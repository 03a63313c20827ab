// Juju topology as the cos_agent library (through cosl's JujuTopology) puts it on alert rules.

export interface Topology {
  readonly model: string;
  readonly modelUuid: string;
  readonly application: string;
  readonly charmName: string;
}

/** `model_uuid8_application`, "/" as "_": the prefix of every alert group name. */
export function topologyIdentifier(t: Topology): string {
  return [t.model, t.modelUuid.slice(0, 8), t.application].join("_").replaceAll("/", "_");
}

/** The juju_* labels each rule gets (never the unit: the rules are the same for every unit); empty values left out. */
export function topologyLabels(t: Topology): Record<string, string> {
  const labels: Record<string, string> = {
    juju_model: t.model,
    juju_model_uuid: t.modelUuid,
    juju_application: t.application,
    juju_charm: t.charmName,
  };
  return Object.fromEntries(Object.entries(labels).filter(([, value]) => value !== ""));
}
