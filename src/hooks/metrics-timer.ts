// Applies the metrics plan (machine/metrics-plan.ts): installs node-exporter when absent, writes the timer's
// units and enables the timer. A failed install is logged, not fatal: the overlay works without metrics.
import { execProgram } from "../bridges/programs";
import { ensureFile, readFileIfExists, removeFile } from "../fs/atomic";
import { jujuContext } from "../juju/context";
import { jujuLog } from "../juju/status";
import type { Action } from "../machine/actions";
import { type MetricsFacts, observeMetrics, planMetrics, renderMetricsUnits } from "../machine/metrics-plan";
import { TEXTFILE_PATH } from "../metrics/textfile";
import {
  METRICS_SERVICE,
  METRICS_SERVICE_PATH,
  METRICS_TIMER,
  METRICS_TIMER_PATH,
  type MetricsUnitOptions,
} from "../metrics/units";
import { traced } from "../trace/spans";

const APT_TIMEOUT_MS = 300_000;
const SYSTEMCTL_TIMEOUT_MS = 60_000;

/** What the units are rendered for: the Node.js running this hook, the charm directory and the unit. */
export function metricsUnitOptions(): MetricsUnitOptions {
  const context = jujuContext();
  return { node: process.execPath, charmDir: context.charmDir, unit: context.unitName };
}

/** Observes, plans and applies the metrics timer; returns whether anything changed. */
export async function ensureMetricsTimer(facts?: MetricsFacts): Promise<boolean> {
  const want = renderMetricsUnits(metricsUnitOptions());
  const actions = planMetrics(facts ?? (await observeMetrics()), want);
  if (want === undefined || actions.length === 0) return false;
  for (const action of actions) await applyMetricsAction(action, want);
  return true;
}

async function applyMetricsAction(action: Action, want: { service: string; timer: string }): Promise<void> {
  switch (action.effect.kind) {
    case "install-node-exporter":
      return installNodeExporter();
    case "write-metrics-units": {
      const changed = [
        await ensureFile(METRICS_SERVICE_PATH, want.service),
        await ensureFile(METRICS_TIMER_PATH, want.timer),
      ];
      if (changed.some(Boolean)) await systemctl("daemon-reload");
      return;
    }
    case "enable-metrics-timer":
      return systemctl("enable", "--now", METRICS_TIMER);
    default:
      throw new Error(`not a metrics effect: ${action.effect.kind}`);
  }
}

async function installNodeExporter(): Promise<void> {
  const apt = [
    "DEBIAN_FRONTEND=noninteractive",
    "apt-get",
    "install",
    "-y",
    "-q",
    "prometheus-node-exporter",
  ];
  try {
    await execProgram("env", apt, { timeoutMs: APT_TIMEOUT_MS });
  } catch (error) {
    await jujuLog(
      "WARNING",
      `metrics: could not install prometheus-node-exporter: ${(error as Error).message}`,
    );
  }
}

async function systemctl(...args: string[]): Promise<void> {
  await traced("systemctl", () => execProgram("systemctl", args, { timeoutMs: SYSTEMCTL_TIMEOUT_MS }));
}

/**
 * Stops and removes the timer, its units and the textfile (remove hook): node-exporter would otherwise
 * keep serving the last figures of a unit that is gone. node-exporter itself stays: the machine's
 * operator may use it for other things, and removing a package is theirs to decide.
 */
export async function removeMetricsTimer(): Promise<void> {
  const present = (await readFileIfExists(METRICS_TIMER_PATH)) !== undefined;
  if (present) {
    await systemctl("disable", "--now", METRICS_TIMER);
    // A collection the timer started just before may still run: it would write the textfile again.
    await systemctl("stop", METRICS_SERVICE);
  }
  const removed = [await removeFile(METRICS_TIMER_PATH), await removeFile(METRICS_SERVICE_PATH)];
  if (removed.some(Boolean)) await systemctl("daemon-reload");
  await removeFile(TEXTFILE_PATH);
}
