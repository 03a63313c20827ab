import type { ToolTable } from "./case";
import { applicationVersionSet, configGet, isLeader, resourceGet, unitGet } from "./config-unit.cases";
import { relationGet } from "./relation-get.cases";

/** Every ported table, one per tool. */
export const tables: ToolTable[] = [
  configGet,
  unitGet,
  isLeader,
  resourceGet,
  applicationVersionSet,
  relationGet,
];
