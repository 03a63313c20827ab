// The demo's options, checked before anything slow runs: scripts/demo calls this file with plain Node
// (no npm packages needed, so it works before setup), and scripts/demo.ts imports it.
import { parseArgs } from "node:util";

export const MACHINES = { min: 2, max: 20, default: 3 };
export const CONTAINER_TYPES = ["lxc", "docker"];
export const ETCD_KINDS = ["classic", "charmed"];

export const USAGE = `Usage: npm run demo -- [--machines N] [--containers lxc|docker] [--etcd classic|charmed] [--keep]
       npm run demo -- status

Boots etcd and N machines, deploys the packed charm on each, relates it to etcd, waits for every unit to be
ready, pings between containers on different machines, prints \`juju status\`, then tears everything down.

Options:
  --machines N          how many machines, a whole number from ${MACHINES.min} to ${MACHINES.max} (default ${MACHINES.default})
  --containers TYPE     lxc or docker (default lxc)
  --etcd KIND           classic: the etcd relation (hostname/port) to one etcd; charmed: the etcd-client
                        relation to Charmed etcd, played on 3 TLS members with client certificates and RBAC
                        (default classic)
  --keep                leave the world up until Ctrl-C and print commands to poke at it
  -h, --help            this text

Commands:
  status                \`juju status\` of a world kept by \`npm run demo -- --keep\`
`;

/** A bad option: the message names the option, the value given and what is allowed. */
export class DemoOptionError extends Error {}

const SPEC = {
  machines: { type: "string" },
  containers: { type: "string" },
  etcd: { type: "string" },
  keep: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

/**
 * Parses the demo's arguments (without node and script).
 * @param {string[]} argv
 */
export function parseDemoArgs(argv) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: SPEC, allowPositionals: true, strict: true });
  } catch (error) {
    const message = String(error.message).replace(/\. To specify a positional.*$/s, "");
    throw new DemoOptionError(message.charAt(0).toLowerCase() + message.slice(1));
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: "help" };
  const [command, ...extra] = positionals;
  if (command !== undefined && command !== "status")
    throw new DemoOptionError(`unknown command '${command}' (the only command is 'status')`);
  if (extra.length > 0) throw new DemoOptionError(`unexpected argument '${extra[0]}'`);
  if (command === "status") {
    const given = Object.keys(values).map((key) => `--${key}`);
    if (given.length > 0) throw new DemoOptionError(`'status' takes no options (got ${given.join(" ")})`);
    return { command: "status" };
  }
  return {
    command: "run",
    machines: parseMachines(values.machines),
    containers: parseContainers(values.containers),
    etcd: parseEtcd(values.etcd),
    keep: values.keep === true,
  };
}

/** @param {string | undefined} text */
function parseMachines(text) {
  if (text === undefined) return MACHINES.default;
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isInteger(n) && n >= MACHINES.min && n <= MACHINES.max) return n;
  throw new DemoOptionError(
    `--machines must be a whole number from ${MACHINES.min} to ${MACHINES.max}; got '${text}'`,
  );
}

/** @param {string | undefined} text */
function parseContainers(text) {
  if (text === undefined) return "lxc";
  if (CONTAINER_TYPES.includes(text)) return text;
  throw new DemoOptionError(`--containers must be ${CONTAINER_TYPES.join(" or ")}; got '${text}'`);
}

/** @param {string | undefined} text */
function parseEtcd(text) {
  if (text === undefined) return "classic";
  if (ETCD_KINDS.includes(text)) return text;
  throw new DemoOptionError(`--etcd must be ${ETCD_KINDS.join(" or ")}; got '${text}'`);
}

/**
 * For scripts/demo: prints help (exit code 100: stop, nothing to run) or an error (exit 2), else exits 0.
 * @param {string[]} argv
 */
export function checkFromShell(argv) {
  try {
    if (parseDemoArgs(argv).command === "help") {
      process.stdout.write(USAGE);
      return 100;
    }
    return 0;
  } catch (error) {
    if (!(error instanceof DemoOptionError)) throw error;
    process.stderr.write(`demo: ${error.message}\nrun 'npm run demo -- --help' for the options\n`);
    return 2;
  }
}

if (process.argv[1]?.endsWith("demo-options.mjs")) process.exitCode = checkFromShell(process.argv.slice(2));
