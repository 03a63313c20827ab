import { checkEmpty } from "./flags";
import { appName, type Model } from "./model";
import { formatFlag, GoTime, goStruct } from "./output";
import type { Tool } from "./tool";

interface GoalUnit {
  status: string;
  since?: string;
}

function unitGoal(goal: GoalUnit): object {
  return goStruct({ status: goal.status, since: goal.since ? new GoTime(goal.since) : undefined });
}

/** goal-state as the model fixes it, else derived: this unit and its peers, and each relation's remote units. */
function goalOf(model: Model): {
  units: Record<string, GoalUnit>;
  relations: Record<string, Record<string, GoalUnit>>;
} {
  if (model.goalState) return model.goalState as ReturnType<typeof goalOf>;
  const units: Record<string, GoalUnit> = { [model.unitName]: { status: "active" } };
  const relations: Record<string, Record<string, GoalUnit>> = {};
  for (const relation of model.relations) {
    const members = relations[relation.name] ?? {};
    relations[relation.name] = members;
    if (relation.remoteApp === appName(model.unitName)) {
      for (const unit of Object.keys(relation.remoteUnits)) units[unit] = { status: "active" };
    } else members[relation.remoteApp] = { status: "joined" };
    for (const unit of Object.keys(relation.remoteUnits)) members[unit] = { status: "active" };
  }
  return { units, relations };
}

const mapValues = <T, U>(record: Record<string, T>, f: (v: T) => U) =>
  Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)]));

export const goalState: Tool = {
  flags: [formatFlag],
  formatted: true,
  purpose: "print the status of the charm's peers and related units",
  run: ({ args, model }) => {
    checkEmpty(args);
    const goal = goalOf(model);
    return goStruct({
      units: mapValues(goal.units, unitGoal),
      relations: mapValues(goal.relations, (units) => mapValues(units, unitGoal)),
    });
  },
};
