import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** What a fake tool answers: canned stdout, stderr and exit code. */
export interface Canned {
  stdout?: string;
  stderr?: string;
  exitCode?: number;
}

/** Hook tools as tiny executables first on PATH that record argv and print canned output (ops FakeScript). */
export class FakeTools {
  private constructor(
    readonly dir: string,
    private readonly savedPath: string | undefined,
  ) {}

  /** Makes a temp dir and puts it first on PATH. */
  static async create(): Promise<FakeTools> {
    const dir = await mkdtemp(join(tmpdir(), "fake-tools-"));
    const tools = new FakeTools(dir, process.env.PATH);
    process.env.PATH = `${dir}:${process.env.PATH ?? ""}`;
    return tools;
  }

  /** Installs a fake `name` that answers with `canned`. */
  async add(name: string, canned: Canned = {}): Promise<void> {
    const script = [
      `#!${process.execPath}`,
      'const fs = require("node:fs");',
      `fs.appendFileSync(${JSON.stringify(join(this.dir, "calls.jsonl"))}, JSON.stringify([${JSON.stringify(name)}, ...process.argv.slice(2)]) + "\\n");`,
      `process.stdout.write(${JSON.stringify(canned.stdout ?? "")});`,
      `process.stderr.write(${JSON.stringify(canned.stderr ?? "")});`,
      `process.exitCode = ${canned.exitCode ?? 0};`,
    ].join("\n");
    await writeFile(join(this.dir, name), script);
    await chmod(join(this.dir, name), 0o755);
  }

  /** Every call so far, as [tool, ...args]. */
  async calls(): Promise<string[][]> {
    const text = await readFile(join(this.dir, "calls.jsonl"), "utf8").catch(() => "");
    return text
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as string[]);
  }

  /** Restores PATH and removes the temp dir. */
  async dispose(): Promise<void> {
    process.env.PATH = this.savedPath;
    await rm(this.dir, { recursive: true, force: true });
  }
}
