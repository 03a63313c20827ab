import * as actionLeaderState from "./action-leader-state.cases";
import type { ToolTable } from "./case";
import * as configUnit from "./config-unit.cases";
import * as misc from "./misc.cases";
import { relationGet } from "./relation-get.cases";
import * as relationMore from "./relation-more.cases";
import * as secrets from "./secret.cases";

/** Every ported table, one per tool. */
export const tables: ToolTable[] = [
  ...Object.values(configUnit),
  relationGet,
  ...Object.values(relationMore),
  ...Object.values(misc),
  ...Object.values(actionLeaderState),
  ...Object.values(secrets),
];
