// Applies the metrics plan (machine/metrics-plan.ts): installs node-exporter when absent, writes the timer's
// units and enables the timer. A failed install is logged and recorded, not fatal: the overlay works without
// metrics, and the plan waits before the next attempt (see installRetryDelay).
import { execProgram, ProgramError } from "../bridges/programs";
import { ensureFile, readFileIfExists, removeFile } from "../fs/atomic";
import { jujuContext } from "../juju/context";
import { jujuLog } from "../juju/status";
import type { Action } from "../machine/actions";
import {
  installRetryDelay,
  type MetricsFacts,
  observeMetrics,
  planMetrics,
  renderMetricsUnits,
} from "../machine/metrics-plan";
import {
  clearInstallFailures,
  INSTALL_FAILURES_PATH,
  type InstallFailures,
  writeInstallFailures,
} from "../metrics/install-failures";
import { TEXTFILE_PATH } from "../metrics/textfile";
import {
  METRICS_SERVICE,
  METRICS_SERVICE_PATH,
  METRICS_TIMER,
  METRICS_TIMER_PATH,
  type MetricsUnitOptions,
} from "../metrics/units";
import { traced } from "../trace/spans";

// Downloading and unpacking the package takes seconds from a reachable mirror; an unreachable one would
// keep the hook (and the machine's hook lock) waiting on apt's retries: two minutes, then it is a failure.
const APT_TIMEOUT_MS = 120_000;
const APT_INSTALL = [
  "DEBIAN_FRONTEND=noninteractive",
  "apt-get",
  "install",
  "-y",
  "-q",
  "prometheus-node-exporter",
];
const SYSTEMCTL_TIMEOUT_MS = 60_000;

/** What the units are rendered for: the Node.js running this hook, the charm directory and the unit. */
export function metricsUnitOptions(): MetricsUnitOptions {
  const context = jujuContext();
  return { node: process.execPath, charmDir: context.charmDir, unit: context.unitName };
}

/** Observes, plans and applies the metrics timer; returns whether anything changed. */
export async function ensureMetricsTimer(facts?: MetricsFacts): Promise<boolean> {
  const want = renderMetricsUnits(metricsUnitOptions());
  const observed = facts ?? (await observeMetrics());
  const actions = planMetrics(observed, want);
  if (want === undefined || actions.length === 0) return false;
  for (const action of actions) await applyMetricsAction(action, want, observed);
  return true;
}

async function applyMetricsAction(
  action: Action,
  want: { service: string; timer: string },
  facts: MetricsFacts,
): Promise<void> {
  switch (action.effect.kind) {
    case "install-node-exporter":
      return installNodeExporter(facts.installFailures);
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

/** Installs node-exporter; a failure is counted on disk (the plan's back-off) and logged once, here. */
async function installNodeExporter(previous: InstallFailures | undefined): Promise<void> {
  try {
    await execProgram("env", APT_INSTALL, { timeoutMs: APT_TIMEOUT_MS });
  } catch (error) {
    const failures = {
      count: (previous?.count ?? 0) + 1,
      lastAt: Date.now(),
      error: describeAptFailure(error),
    };
    await writeInstallFailures(failures);
    await jujuLog("WARNING", renderInstallWarning(failures));
    return;
  }
  await clearInstallFailures();
}

/**
 * The command and apt's first error line: it names what failed (a fetch, the lock), where the last one
 * only suggests running apt-get update.
 */
export function describeAptFailure(error: unknown): string {
  if (!(error instanceof ProgramError)) return error instanceof Error ? error.message : String(error);
  const first = error.stderr.split("\n").find((line) => line.startsWith("E: "));
  if (error.timedOut || first === undefined) return error.message;
  return `${error.command} failed (exit code ${error.exitCode ?? "none"}): ${first.trim()}`;
}

/** When the charm tries again, how the operator installs the package instead, and last what failed. */
export function renderInstallWarning(failures: InstallFailures): string {
  const minutes = Math.round(installRetryDelay(failures.count) / 60_000);
  const wait = minutes % 60 === 0 ? `${minutes / 60} h` : `${minutes} min`;
  return (
    `metrics: prometheus-node-exporter could not be installed (attempt ${failures.count}); the charm tries ` +
    `again in ${wait}, and the overlay is not affected. To serve the figures sooner, install it yourself ` +
    "(apt-get install prometheus-node-exporter from a mirror the machine reaches, or dpkg -i a copy of the " +
    "package): it serves the textfile the metrics timer already writes; deleting " +
    `${INSTALL_FAILURES_PATH} makes the next hook try again at once. What failed: ${failures.error}`
  );
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
