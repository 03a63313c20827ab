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
