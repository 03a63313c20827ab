import type { Tool } from "./tool";
import { actionFail, actionGet, actionLog, actionSet } from "./tools-action";
import { goalState } from "./tools-goal-state";
import { leaderGet, leaderSet } from "./tools-leader";
import { networkGet } from "./tools-network";
import { closePort, openedPorts, openPort } from "./tools-ports";
import { relationGet, relationIds, relationList, relationSet } from "./tools-relation";
import { secretAdd, secretGet, secretRemove, secretSet } from "./tools-secret";
import { secretGrant, secretIds, secretInfoGet, secretRevoke } from "./tools-secret-access";
import { stateDelete, stateGet, stateSet } from "./tools-state";
import { applicationVersionSet, jujuLog, statusGet, statusSet } from "./tools-status";
import { configGet, isLeader, resourceGet, unitGet } from "./tools-unit";

/** Every hook tool the emulator answers, by the name jujuc is called under. */
export const tools: Record<string, Tool> = {
  "config-get": configGet,
  "relation-get": relationGet,
  "relation-set": relationSet,
  "relation-ids": relationIds,
  "relation-list": relationList,
  "unit-get": unitGet,
  "network-get": networkGet,
  "status-set": statusSet,
  "status-get": statusGet,
  "application-version-set": applicationVersionSet,
  "juju-log": jujuLog,
  "open-port": openPort,
  "close-port": closePort,
  "opened-ports": openedPorts,
  "resource-get": resourceGet,
  "is-leader": isLeader,
  "leader-get": leaderGet,
  "leader-set": leaderSet,
  "goal-state": goalState,
  "state-get": stateGet,
  "state-set": stateSet,
  "state-delete": stateDelete,
  "action-get": actionGet,
  "action-set": actionSet,
  "action-fail": actionFail,
  "action-log": actionLog,
  "secret-add": secretAdd,
  "secret-get": secretGet,
  "secret-set": secretSet,
  "secret-remove": secretRemove,
  "secret-grant": secretGrant,
  "secret-revoke": secretRevoke,
  "secret-ids": secretIds,
  "secret-info-get": secretInfoGet,
};
