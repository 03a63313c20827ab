import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseCharmState, readCharmState, writeCharmState } from "../../src/state/charm-state";

let dir: string;
let path: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "state-test-"));
  path = join(dir, "flannel-charm", "state.json");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("writeCharmState / readCharmState", () => {
  it("writes stable JSON once and reads it back", async () => {
    const state = { containerType: "lxc", etcdRelated: true, waiting: "waiting for a lease" } as const;
    expect(await writeCharmState(state, path)).toBe(true);
    expect(await writeCharmState(state, path)).toBe(false);
    expect(await readFile(path, "utf8")).toBe(
      '{\n  "containerType": "lxc",\n  "etcdRelated": true,\n  "waiting": "waiting for a lease"\n}\n',
    );
    expect(await readCharmState(path)).toEqual(state);
  });

  it("reads undefined when no hook wrote the state yet", async () => {
    expect(await readCharmState(path)).toBeUndefined();
  });

  it("reads undefined for a file that is not a valid state", async () => {
    await writeCharmState({ containerType: "none", etcdRelated: false }, path);
    await writeFile(path, "{not json");
    expect(await readCharmState(path)).toBeUndefined();
  });
});

describe("parseCharmState", () => {
  it("accepts the blocked message and drops nothing else", () => {
    expect(parseCharmState('{"containerType":"docker","etcdRelated":false,"blocked":"bad network"}')).toEqual(
      {
        containerType: "docker",
        etcdRelated: false,
        blocked: "bad network",
      },
    );
  });

  it.each([
    ["an unknown container type", '{"containerType":"lxd","etcdRelated":true}'],
    ["etcdRelated that is not boolean", '{"containerType":"lxc","etcdRelated":"yes"}'],
    ["a blocked message that is not a string", '{"containerType":"lxc","etcdRelated":true,"blocked":1}'],
    ["JSON null", "null"],
  ])("rejects %s", (_, text) => {
    expect(parseCharmState(text)).toBeUndefined();
  });
});
