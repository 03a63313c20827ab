import { computeHealth } from "../health/health";
import { observeHealth } from "../health/observe";
import { actionSet } from "../juju/action";
import { jujuContext } from "../juju/context";
import { jujuLog, redactSecrets } from "../juju/status";
import { tryFastPath } from "./fast-path";
import { runMeshCheck } from "./mesh-check";

/** The one entrypoint of every hook and action (dispatch and hooks/* run it). */
async function main() {
  const context = jujuContext();
  const action = context.actionName ?? actionOf(process.env.JUJU_DISPATCH_PATH);
  if (action === "health") {
    await actionSet({ result: computeHealth(await observeHealth()).line });
    return;
  }
  if (action === "mesh-check") return runMeshCheck();
  if (await tryFastPath(context)) return;
  // The full reconcile is its own bundle chunk: a hook the fast path finished never parses it.
  const { runHook } = await import("./events");
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
