import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadUnitRecord, saveUnitRecord } from "../../src/hooks/unit-record";

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "unit-record-test-"));
  path = join(dir, "unit.json");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the unit record", () => {
  it("starts empty when there is none yet, and reads back what was saved", async () => {
    expect(await loadUnitRecord(path)).toEqual({});
    const record = { joined: { network: "10.10.0.0/16", subnetLen: 24, backend: "udp", etcdPrefix: "/p" } };
    await saveUnitRecord(record, path);
    expect(await loadUnitRecord(path)).toEqual(record);
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual(record);
  });

  it("defect 11: an empty record (as a power loss leaves it) is a problem naming the file, not {}", async () => {
    await writeFile(path, "");
    await expect(loadUnitRecord(path)).rejects.toThrow(`the unit record ${path} is empty`);
  });

  it("defect 11: a corrupt or non-object record is a problem naming the file, not {}", async () => {
    await writeFile(path, '{"joined":{"network":"10.10');
    await expect(loadUnitRecord(path)).rejects.toThrow(`the unit record ${path} is not valid JSON`);
    await writeFile(path, "null\n");
    await expect(loadUnitRecord(path)).rejects.toThrow(`the unit record ${path} does not hold a JSON object`);
    await writeFile(path, "[]\n");
    await expect(loadUnitRecord(path)).rejects.toThrow(`the unit record ${path} does not hold a JSON object`);
  });
});
