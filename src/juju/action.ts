import { translated } from "./errors";
import { runHookTool, runHookToolJson } from "./hook-tool";
import { asMap } from "./shapes";

/** `action-get --format=json`: the parameters of the running action. */
export async function actionGet(): Promise<Record<string, unknown>> {
  return asMap("action-get", await translated(() => runHookToolJson("action-get", [])));
}

/** `action-set k=v …`: results of the running action (dotted keys nest). */
export async function actionSet(data: Record<string, string>): Promise<void> {
  const pairs = Object.entries(data).map(([key, value]) => `${checkKey(key)}=${value}`);
  if (pairs.length === 0) return;
  await translated(() => runHookTool("action-set", pairs));
}

/** `action-fail MESSAGE`: marks the running action as failed. */
export async function actionFail(message: string): Promise<void> {
  // The "--" lets messages start with a hyphen.
  await translated(() => runHookTool("action-fail", ["--", message]));
}

// Juju accepts lowercase keys of letters, digits and hyphens, dot-separated for nesting.
function checkKey(key: string): string {
  if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(key)) return key;
  throw new Error(`action-set key ${JSON.stringify(key)} must be lowercase letters, digits, "-" and "."`);
}
