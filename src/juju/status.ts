import { translated } from "./errors";
import { runHookTool } from "./hook-tool";

export const STATUS_STATES = ["maintenance", "waiting", "active", "blocked"] as const;
export type StatusState = (typeof STATUS_STATES)[number];
export type LogLevel = "DEBUG" | "INFO" | "WARNING" | "ERROR" | "CRITICAL";

// PEM blocks are keys or certificates: never let one reach the model's log.
const PEM_BLOCK = /-----BEGIN [^-]+-----[\s\S]*?(-----END [^-]+-----|$)/g;

/** Replaces any PEM block in a text with a marker, so certificates and keys are never logged. */
export function redactPem(text: string): string {
  return text.replace(PEM_BLOCK, "[PEM redacted]");
}

/** `status-set STATE MESSAGE`: sets the unit's workload status. */
export async function statusSet(state: StatusState, message: string): Promise<void> {
  // The "--" lets messages start with a hyphen.
  await translated(() => runHookTool("status-set", ["--", state, redactPem(message)]));
}

/** `application-version-set VERSION`: the workload version shown by `juju status`. */
export async function applicationVersionSet(version: string): Promise<void> {
  await translated(() => runHookTool("application-version-set", ["--", version]));
}

/** `juju-log --log-level LEVEL -- MESSAGE`: writes to the unit's log (PEM blocks redacted). */
export async function jujuLog(level: LogLevel, message: string): Promise<void> {
  // The "--" lets messages start with a hyphen.
  await translated(() => runHookTool("juju-log", ["--log-level", level, "--", redactPem(message)]));
}

/** `status-set --application STATE MESSAGE`: the application's status (leader only). */
export async function applicationStatusSet(state: StatusState, message: string): Promise<void> {
  await translated(() => runHookTool("status-set", ["--application", "--", state, redactPem(message)]));
}
