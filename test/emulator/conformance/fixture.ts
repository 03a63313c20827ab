import { createModel, type Model, type Relation } from "../model";

// Juju's jujuctesting ContextSuite fixture (suite.go, relation_test.go): unit u/0, its config and
// addresses, and two peer relations peer0:0 and peer1:1 whose settings the relation tests then adjust.
function peer(id: number): Relation {
  return {
    id,
    name: `peer${id}`,
    interface: `peer${id}`,
    remoteApp: "",
    localUnitData: { "private-address": "u-0.testing.invalid" },
    localAppData: {},
    remoteUnits: {},
    remoteAppData: {},
  };
}

export function jujuFixture(): Model {
  return createModel({
    unitName: "u/0",
    privateAddress: "192.168.0.99",
    publicAddress: "gimli.minecraft.testing.invalid",
    configDefaults: {
      empty: null,
      monsters: false,
      "spline-reticulation": 45,
      title: "My Title",
      username: "admin001",
    },
    relations: [peer(0), peer(1)],
    nextRelationId: 2,
  });
}

/** The hook environment of a relation hook in the fixture (`peerN:N`), with an optional remote unit/app. */
export function relationHook(id: number, remoteUnit?: string, remoteApp?: string): Record<string, string> {
  const env: Record<string, string> = { JUJU_RELATION: `peer${id}`, JUJU_RELATION_ID: `peer${id}:${id}` };
  if (remoteUnit) env.JUJU_REMOTE_UNIT = remoteUnit;
  const app = remoteApp ?? remoteUnit?.split("/")[0];
  if (app) env.JUJU_REMOTE_APP = app;
  return env;
}

export const secretId = "9m4e2mr0ui3e8a215n4g";
export const secretUri = `secret:${secretId}`;

/** secrets.go's fixture secret: owned by the unit's application, revision 666 (earlier ones elided). */
export function withFixtureSecret(model: Model, content: Record<string, string> = {}): void {
  const encoded = Object.fromEntries(
    Object.entries(content).map(([k, v]) => [k, Buffer.from(v).toString("base64")]),
  );
  model.secrets = [
    {
      id: secretId,
      ownerKind: "application",
      ownerName: "u",
      label: "label",
      description: "description",
      rotatePolicy: "hourly",
      revisions: [{ revision: 666, content: encoded }],
      grants: [],
      consumers: {},
    },
  ];
}
