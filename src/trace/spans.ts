import { appendFileSync } from "node:fs";

/** The variable that turns tracing on: a file to append spans to (benchmarks only). */
export const TRACE_VARIABLE = "FLANNEL_CHARM_TRACE";

/**
 * Runs `work` and, only when FLANNEL_CHARM_TRACE names a file, appends one JSON line `{span, ms}` to it, so
 * a benchmark can tell the charm's waits (systemctl, etcd, flanneld's lease) from its own time. Span
 * names are fixed words: nothing from config or relation data is written.
 */
export async function traced<T>(
  span: "systemctl" | "etcd" | "lease-wait",
  work: () => Promise<T>,
): Promise<T> {
  const file = process.env[TRACE_VARIABLE];
  if (!file) return work();
  const started = performance.now();
  try {
    return await work();
  } finally {
    const ms = Math.round((performance.now() - started) * 100) / 100;
    try {
      appendFileSync(file, `${JSON.stringify({ span, ms })}\n`);
    } catch {
      // A trace is an aid to measuring: never let it fail a hook.
    }
  }
}

/**
 * Notes, when tracing, which way a hook went: the fast path, or the full reconcile and the first
 * difference that sent it there. `note` is one of the charm's fixed texts, never config or relation data;
 * ms is 0 so that a benchmark summing waits is not disturbed.
 */
export function traceNote(span: "fast-path" | "full-reconcile" | "apply", note: string): void {
  const file = process.env[TRACE_VARIABLE];
  if (!file) return;
  try {
    appendFileSync(file, `${JSON.stringify({ span, ms: 0, note })}\n`);
  } catch {
    // A trace is an aid to measuring: never let it fail a hook.
  }
}
