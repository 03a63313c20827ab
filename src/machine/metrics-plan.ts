// The metrics timer as it should be: node-exporter installed (its textfile collector serves the figures),
// the service and timer units written, the timer enabled. Pure; hooks/metrics-timer.ts applies it.
import { readFileIfExists } from "../fs/atomic";
import { readlink, stat } from "../fs/small-files";
import { type InstallFailures, readInstallFailures } from "../metrics/install-failures";
import {
  METRICS_SERVICE_PATH,
  METRICS_TIMER_LINK,
  METRICS_TIMER_PATH,
  type MetricsUnitOptions,
  renderMetricsService,
  renderMetricsTimer,
} from "../metrics/units";
import { type Action, act } from "./actions";

/** Debian's and Ubuntu's node-exporter binary. */
export const NODE_EXPORTER_PATH = "/usr/bin/prometheus-node-exporter";

/** The wait after a first failed install of node-exporter; each further failure doubles it, up to the cap. */
export const INSTALL_RETRY_FIRST_MS = 10 * 60_000;
export const INSTALL_RETRY_CAP_MS = 6 * 60 * 60_000;

export interface MetricsFacts {
  readonly exporterInstalled: boolean;
  /** The failed installs recorded since the last success; undefined when there are none. */
  readonly installFailures: InstallFailures | undefined;
  /** When the facts were read (ms since the epoch): the clock the install's back-off is measured by. */
  readonly observedAt: number;
  readonly serviceFile: string | undefined;
  readonly timerFile: string | undefined;
  readonly timerEnabled: boolean;
}

/** Reads what planMetrics compares: four files and one link, no program run. */
export async function observeMetrics(): Promise<MetricsFacts> {
  const [exporter, installFailures, serviceFile, timerFile, link] = await Promise.all([
    stat(NODE_EXPORTER_PATH).catch(() => undefined),
    readInstallFailures().catch(() => undefined),
    readFileIfExists(METRICS_SERVICE_PATH),
    readFileIfExists(METRICS_TIMER_PATH),
    readlink(METRICS_TIMER_LINK).catch(() => undefined),
  ]);
  return {
    exporterInstalled: exporter?.isFile() ?? false,
    installFailures,
    observedAt: Date.now(),
    serviceFile,
    timerFile,
    timerEnabled: link === METRICS_TIMER_PATH,
  };
}

/**
 * How long the install is left alone after `count` failures in a row. A failure may pass (another apt run
 * holding the lock on a machine's first boot, a mirror's hiccup: retried within minutes) or last (no
 * mirror at all: the wait grows to 6 h, so such a machine settles at four apt runs a day, each bounded).
 */
export function installRetryDelay(count: number): number {
  if (count < 1) return 0;
  return Math.min(INSTALL_RETRY_CAP_MS, INSTALL_RETRY_FIRST_MS * 2 ** Math.min(count - 1, 16));
}

/** The time from which the install may be tried again; undefined when nothing holds it back. */
export function installRetryAt(facts: MetricsFacts): number | undefined {
  const failures = facts.installFailures;
  if (failures === undefined) return undefined;
  // A clock set back before the failure does not stretch the wait: the install is tried again.
  if (facts.observedAt < failures.lastAt) return undefined;
  const retryAt = failures.lastAt + installRetryDelay(failures.count);
  return facts.observedAt < retryAt ? retryAt : undefined;
}

/** The units' exact texts for this unit; undefined when the paths cannot go into a unit file. */
export function renderMetricsUnits(
  options: MetricsUnitOptions,
): { service: string; timer: string } | undefined {
  try {
    return { service: renderMetricsService(options), timer: renderMetricsTimer() };
  } catch {
    return undefined;
  }
}

/**
 * Every action the metrics need; none breaks traffic, so ./health never names one. While a failed install
 * backs off, the units and the timer are still planned: the figures are ready when the package comes.
 */
export function planMetrics(
  facts: MetricsFacts,
  want: { service: string; timer: string } | undefined,
): Action[] {
  if (want === undefined) return [];
  const actions: Action[] = [];
  if (!facts.exporterInstalled && installRetryAt(facts) === undefined)
    actions.push(
      act("metrics", { kind: "install-node-exporter" }, "prometheus-node-exporter is not installed"),
    );
  if (facts.serviceFile !== want.service || facts.timerFile !== want.timer)
    actions.push(act("metrics", { kind: "write-metrics-units" }, "the metrics timer's units differ"));
  if (!facts.timerEnabled)
    actions.push(act("metrics", { kind: "enable-metrics-timer" }, "the metrics timer is not enabled"));
  return actions;
}
