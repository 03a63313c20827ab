import { DEFAULT_MODEL_PATH, EMULATOR_DIR } from "../emulator/model";

/**
 * `juju-exec UNIT [--] COMMAND …` for a booted machine, as Juju 3 installs it on every machine: runs the
 * command in a hook context of the unit (its hook tools answer), through the machine's agent, and passes
 * the command's output and exit code through. `juju exec --unit U -- CMD` from a client ends up here.
 */
export const JUJU_EXEC_SCRIPT = `#!/bin/sh
set -eu
usage() { echo "usage: juju-exec UNIT [--] COMMAND [ARG...]   (e.g. juju-exec flannel/0 -- status-get)" >&2; exit 2; }
[ $# -ge 2 ] || usage
unit=$1; shift
if [ "$1" = "--" ]; then shift; fi
[ $# -ge 1 ] || usage
charm=/var/lib/juju/agents/unit-$(printf '%s' "$unit" | tr / -)/charm
[ -d "$charm" ] || { echo "ERROR unit \\"$unit\\" is not deployed on this machine" >&2; exit 1; }
export JUJU_AGENT_SOCKET_ADDRESS=${EMULATOR_DIR}/agent.socket JUJU_AGENT_SOCKET_NETWORK=unix
answer=$(${EMULATOR_DIR}/juju-emulator exec --model ${DEFAULT_MODEL_PATH} --charm-dir "$charm" -- "$@") || {
  printf '%s\\n' "$answer" >&2; exit 1; }
printf '%s' "$answer" | exec node -e '
  let text = ""; process.stdin.on("data", (c) => { text += c; }).on("end", () => {
    const run = JSON.parse(text).hooks?.[0] ?? { exitCode: 1, stdout: "", stderr: "ERROR " + text + "\\n" };
    process.stdout.write(run.stdout); process.stderr.write(run.stderr); process.exitCode = run.exitCode;
  });'
`;
