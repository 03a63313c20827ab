import type { LogEntry, Model, StatusEntry } from "./model";
import { relationKey } from "./model";

export interface RelationWrite {
  relation: string;
  app: boolean;
  /** The bag after the hook; keys the hook deleted are gone. */
  data: Record<string, string>;
}

export interface ActionOutcome {
  name: string;
  status: "completed" | "failed";
  message: string;
  results: Record<string, unknown>;
  logs: string[];
}

/** What one hook did to the model, as a test wants to assert it. */
export interface ModelDiff {
  statuses: StatusEntry[];
  logs: LogEntry[];
  relationWrites: RelationWrite[];
  openedPorts: string[];
  closedPorts: string[];
  applicationVersion?: string;
  action?: ActionOutcome;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function relationWrites(before: Model, after: Model): RelationWrite[] {
  return after.relations.flatMap((relation) => {
    const old = before.relations.find((r) => r.id === relation.id);
    const writes: RelationWrite[] = [];
    if (!same(old?.localUnitData ?? {}, relation.localUnitData)) {
      writes.push({ relation: relationKey(relation), app: false, data: relation.localUnitData });
    }
    if (!same(old?.localAppData ?? {}, relation.localAppData)) {
      writes.push({ relation: relationKey(relation), app: true, data: relation.localAppData });
    }
    return writes;
  });
}

function actionOutcome(after: Model, exitCode: number): ActionOutcome | undefined {
  const action = after.action;
  if (!action) return undefined;
  const failed = action.failed || exitCode !== 0;
  const message = action.message || (exitCode !== 0 ? `exit status ${exitCode}` : "");
  const { name, results, logs } = action;
  return { name, status: failed ? "failed" : "completed", message, results, logs };
}

export function diffModels(before: Model, after: Model, exitCode: number): ModelDiff {
  const diff: ModelDiff = {
    statuses: after.statusHistory.slice(before.statusHistory.length),
    logs: after.logs.slice(before.logs.length),
    relationWrites: relationWrites(before, after),
    openedPorts: after.ports.filter((p) => !before.ports.includes(p)),
    closedPorts: before.ports.filter((p) => !after.ports.includes(p)),
  };
  if (after.applicationVersion !== before.applicationVersion)
    diff.applicationVersion = after.applicationVersion;
  const action = actionOutcome(after, exitCode);
  if (action) diff.action = action;
  return diff;
}
