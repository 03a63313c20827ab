import { translated } from "./errors";
import { runHookTool, runHookToolJson } from "./hook-tool";
import { asMap } from "./shapes";

export const STATUS_STATES = ["maintenance", "waiting", "active", "blocked"] as const;
export type StatusState = (typeof STATUS_STATES)[number];
export type LogLevel = "DEBUG" | "INFO" | "WARNING" | "ERROR" | "CRITICAL";

// PEM blocks are keys or certificates: never let one reach the model's log.
const PEM_BLOCK = /-----BEGIN [^-]+-----[\s\S]*?(-----END [^-]+-----|$)/g;

// The user info of a URL (scheme://user:password@host). A password may hold "/", "," or "@", so all up
// to the last "@" before whitespace goes, even if that swallows more URLs of a list.
const URL_USER_INFO = /\b([A-Za-z][A-Za-z0-9+.-]*:\/\/)\S*@/g;

/** Longest status message: Juju shows it on one line, and an argument over ~128 KiB fails with E2BIG. */
export const MAX_STATUS_MESSAGE = 400;
/** Longest juju-log message; a stack trace fits. */
export const MAX_LOG_MESSAGE = 8192;

/** Replaces any PEM block in a text with a marker, so certificates and keys are never logged. */
export function redactPem(text: string): string {
  return text.replace(PEM_BLOCK, "[PEM redacted]");
}

/** Hides secrets in a text: PEM blocks and the user info of URLs. */
export function redactSecrets(text: string): string {
  return redactPem(text).replace(URL_USER_INFO, "$1***@");
}

/** What a status message may show: secrets hidden, cut to MAX_STATUS_MESSAGE. The one place for both. */
export function safeStatusMessage(message: string): string {
  return cut(redactSecrets(message), MAX_STATUS_MESSAGE);
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `status-set STATE MESSAGE`: sets the unit's workload status. */
export async function statusSet(state: StatusState, message: string): Promise<void> {
  // The "--" lets messages start with a hyphen.
  await translated(() => runHookTool("status-set", ["--", state, safeStatusMessage(message)]));
}

/** `status-get --format=json --include-data`: the unit's workload status and message as Juju holds them. */
export async function statusGet(): Promise<{ state: string; message: string }> {
  const value = asMap(
    "status-get",
    await translated(() => runHookToolJson("status-get", ["--include-data"])),
  );
  return { state: String(value.status ?? ""), message: String(value.message ?? "") };
}

/** `application-version-set VERSION`: the workload version shown by `juju status`. */
export async function applicationVersionSet(version: string): Promise<void> {
  await translated(() => runHookTool("application-version-set", ["--", version]));
}

/** `juju-log --log-level LEVEL -- MESSAGE`: writes to the unit's log (secrets redacted, length capped). */
export async function jujuLog(level: LogLevel, message: string): Promise<void> {
  const text = cut(redactSecrets(message), MAX_LOG_MESSAGE);
  // The "--" lets messages start with a hyphen.
  await translated(() => runHookTool("juju-log", ["--log-level", level, "--", text]));
}

/** `status-set --application STATE MESSAGE`: the application's status (leader only). */
export async function applicationStatusSet(state: StatusState, message: string): Promise<void> {
  await translated(() => runHookTool("status-set", ["--application", "--", state, redactPem(message)]));
}
