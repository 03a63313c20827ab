import type { HookEvent, Model } from "./model";
import { findRelation } from "./model";

/**
 * Membership changes the controller makes around a relation hook, so that relation-list inside
 * -joined already shows the joiner and inside -departed no longer shows the departing unit.
 */
export function applyBeforeHook(model: Model, event: HookEvent): void {
  const relation = event.relationId === undefined ? undefined : findRelation(model, event.relationId);
  if (!relation) return;
  if (event.hook.endsWith("-joined") && event.remoteUnit && event.remoteData) {
    relation.remoteUnits[event.remoteUnit] = { ...event.remoteData };
  }
  const departing = event.departingUnit;
  if (event.hook.endsWith("-departed") && departing && relation.remoteUnits[departing]) {
    relation.departedUnits = { ...relation.departedUnits, [departing]: relation.remoteUnits[departing] };
    delete relation.remoteUnits[departing];
  }
}

/** After a successful hook: a departed unit's settings vanish; a broken relation is gone. */
export function applyAfterHook(model: Model, event: HookEvent): void {
  const relation = event.relationId === undefined ? undefined : findRelation(model, event.relationId);
  if (!relation) return;
  if (event.hook.endsWith("-departed") && event.departingUnit)
    delete relation.departedUnits?.[event.departingUnit];
  if (event.hook.endsWith("-broken")) model.relations = model.relations.filter((r) => r !== relation);
}
