import { computeHealth } from "../health/health";
import { observeHealth } from "../health/observe";
import { actionSet } from "../juju/action";
import { jujuContext } from "../juju/context";
import { jujuLog, redactSecrets } from "../juju/status";
import { runHook } from "./events";
import { runMeshCheck } from "./mesh-check";

/**
 * The entrypoint of every action and of the hooks the fast path did not finish: dispatch runs
 * lib/hook.cjs (fast-main.ts), which imports this bundle when the full reconcile must run.
 */
async function main() {
  const context = jujuContext();
  const action = context.actionName ?? actionOf(process.env.JUJU_DISPATCH_PATH);
  if (action === "health") {
    await actionSet({ result: computeHealth(await observeHealth()).line });
    return;
  }
  if (action === "mesh-check") return runMeshCheck();
  await runHook(context);
}

function actionOf(dispatchPath: string | undefined) {
  return dispatchPath?.startsWith("actions/") ? dispatchPath.slice("actions/".length) : undefined;
}

// Only a bug or an impossible state gets here: Juju then puts the unit in error, and the log says why.
main().catch(async (error: unknown) => {
  // stderr reaches the unit's log too: no secret may leave through it.
  const message = redactSecrets(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
  console.error(message);
  await jujuLog("ERROR", `hook failed: ${message}`).catch(() => undefined);
});
