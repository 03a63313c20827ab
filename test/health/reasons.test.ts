import { cp, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explainReasons, REASONS } from "../../src/health/reasons";

const REPO = resolve(import.meta.dirname, "../..");

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "health-reasons-test-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("./health reasons", () => {
  it("explains no-state as no hook having run on this machine", () => {
    expect(explainReasons("no-state").text).toMatch(/^no-state +no hook has run on this machine/);
    expect(explainReasons("reason:no-state")).toEqual(explainReasons("no-state"));
  });

  it("lists every reason, one line each, and refuses an unknown one by naming the known ones", () => {
    const lines = explainReasons().text.trimEnd().split("\n");
    expect(lines.map((line) => line.split(/\s+/)[0])).toEqual(Object.keys(REASONS));
    const unknown = explainReasons("no-such");
    expect(unknown.exitCode).toBe(1);
    expect(unknown.text).toContain("known: no-state, blocked,");
  });

  it("has the README's reasons table equal to what --explain says", async () => {
    const readme = await readFile(join(REPO, "README.md"), "utf8");
    // The table under the "| reason | meaning |" header, up to the first line that is not a table row.
    const table = readme.slice(readme.indexOf("| reason | meaning |")).split("\n\n")[0] ?? "";
    const rows = [...table.matchAll(/^\| `([a-z-]+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(rows)).toEqual(REASONS);
  });

  it("runs `./health --explain` from the repository root on the packed bundle", async () => {
    const result = await execa("./health", ["--explain", "no-state"], { cwd: REPO, reject: false });
    expect(result.exitCode).toBe(0);
    // Tokens are padded to the longest one, so the meanings line up in a column.
    const width = Math.max(...Object.keys(REASONS).map((reason) => reason.length));
    expect(result.stdout).toBe(`${"no-state".padEnd(width)}  ${REASONS["no-state"]}`);
  });

  it("says to run npm run pack, without a stack trace, where no bundle was built", async () => {
    const tree = join(dir, "source-tree");
    await mkdir(join(tree, "files"), { recursive: true });
    await cp(join(REPO, "health"), join(tree, "health"));
    await cp(join(REPO, "files/find-node.sh"), join(tree, "files/find-node.sh"));
    const result = await execa(join(tree, "health"), [], { reject: false });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("not-ready reason:no-bundle");
    expect(result.stderr).toContain("run 'npm run pack'");
    expect(result.stderr).not.toMatch(/at |Error:|node:internal/);
  });
});
