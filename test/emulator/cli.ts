// Entry of the emulator bundle.
//   node emulator.cjs agent --socket S --bin-dir B --jujuc C   the machine's long-lived unit agent: links
//       jujuc under every hook tool's name into B and answers hook tools and operator commands on S
//       (operators call it through jujuc linked as `juju-emulator`).
//   node emulator.cjs <op> --model M --charm-dir D [args]       one operation with an agent of its own for
//       its duration (jujuc from --jujuc, default beside the bundle); prints JSON. remote-joins and
//       remote-change take the remote unit's settings as --data JSON or --data-file PATH (- for stdin).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve as resolvePath } from "node:path";
import { parseArgs } from "node:util";
import { Agent } from "./agent";
import { installHookTools } from "./install";
import { need, parseOperation, runOperation } from "./operations";

async function mainAgent(argv: string[]): Promise<void> {
  const options = {
    socket: { type: "string" },
    "bin-dir": { type: "string" },
    jujuc: { type: "string" },
  } as const;
  const { values } = parseArgs({ args: argv, options });
  const binDir = resolvePath(need(values, "bin-dir"));
  installHookTools(binDir, resolvePath(need(values, "jujuc")));
  let agent: Agent | undefined;
  agent = await Agent.start(resolvePath(need(values, "socket")), (args, dir, readStdin) =>
    agent ? runOperation(args, dir, { agent, binDir }, readStdin) : Promise.resolve({ code: 1, stdout: "" }),
  );
  const stop = () => {
    void agent?.close().finally(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  process.stderr.write(`juju emulator agent: listening on ${agent.socketPath}\n`);
}

async function mainOnce(argv: string[]): Promise<void> {
  const { values } = parseOperation(argv);
  const modelPath = resolvePath(values.model ?? ".");
  const binDir = resolvePath(values["bin-dir"] ?? join(dirname(modelPath), "emulator-bin"));
  const bundleDir = dirname(resolvePath(process.argv[1] ?? ""));
  installHookTools(binDir, resolvePath(values.jujuc ?? join(bundleDir, "jujuc")));
  const scratch = mkdtempSync(join(tmpdir(), "juju-agent-"));
  const agent = await Agent.start(join(scratch, "agent.socket"));
  try {
    const answer = await runOperation(argv, process.cwd(), { agent, binDir }, () => readFileSync(0, "utf8"));
    process.stdout.write(answer.stdout);
    process.exitCode = answer.code;
  } finally {
    await agent.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

const [command = "", ...rest] = process.argv.slice(2);
const main = command === "agent" ? mainAgent(rest) : mainOnce(process.argv.slice(2));
main.catch((error: unknown) => {
  console.log(JSON.stringify({ ok: false, error: String((error as Error).message ?? error) }));
  process.exitCode = 1;
});
