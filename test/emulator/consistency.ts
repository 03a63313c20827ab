import type { CharmMeta } from "./charm-meta";
import { appName, type ConfigValue, type Model, relationKey } from "./model";

/** Every problem found in a model, reported at once like a controller refusing a deploy. */
export class ConsistencyError extends Error {
  constructor(readonly problems: string[]) {
    super(`inconsistent model:\n  ${problems.join("\n  ")}`);
    this.name = "ConsistencyError";
  }
}

function typeMatches(type: string, value: ConfigValue): boolean {
  if (type === "int") return typeof value === "number" && Number.isInteger(value);
  if (type === "float") return typeof value === "number";
  if (type === "boolean") return typeof value === "boolean";
  return typeof value === "string";
}

function checkConfig(model: Model, charm: CharmMeta): string[] {
  return Object.entries(model.config).flatMap(([key, value]) => {
    const option = charm.options[key];
    if (!option) return [`config option "${key}" is not declared in config.yaml`];
    if (typeMatches(option.type, value)) return [];
    return [`option "${key}" expected ${option.type}, got ${JSON.stringify(value)}`];
  });
}

function checkRelations(model: Model, charm: CharmMeta): string[] {
  const known = Object.keys(charm.endpoints).join(", ") || "none";
  return model.relations.flatMap((relation) => {
    const endpoint = charm.endpoints[relation.name];
    if (!endpoint)
      return [
        `relation ${relationKey(relation)}: no endpoint "${relation.name}" in metadata.yaml (has: ${known})`,
      ];
    if (endpoint.interface !== relation.interface)
      return [
        `relation ${relationKey(relation)}: interface "${relation.interface}" does not match metadata.yaml's "${endpoint.interface}"`,
      ];
    if ((endpoint.role === "peers") === (relation.remoteApp === appName(model.unitName))) return [];
    return [
      `relation ${relationKey(relation)}: a ${endpoint.role} endpoint ${endpoint.role === "peers" ? "joins only" : "cannot join"} units of "${appName(model.unitName)}"`,
    ];
  });
}

function checkResources(model: Model, charm: CharmMeta): string[] {
  return Object.keys(model.resources)
    .filter((name) => !charm.resources.includes(name))
    .map((name) => `resource "${name}" is not declared in metadata.yaml`);
}

function checkUnit(model: Model, charm: CharmMeta): string[] {
  if (!charm.name || appName(model.unitName) === charm.name) return [];
  return [`unit "${model.unitName}" does not belong to charm "${charm.name}"`];
}

/** Lists what a controller would reject about this model for this charm. */
export function findProblems(model: Model, charm: CharmMeta): string[] {
  return [
    ...checkUnit(model, charm),
    ...checkConfig(model, charm),
    ...checkRelations(model, charm),
    ...checkResources(model, charm),
  ];
}

export function checkConsistency(model: Model, charm: CharmMeta): void {
  const problems = findProblems(model, charm);
  if (problems.length > 0) throw new ConsistencyError(problems);
}
