// The metrics timer as it should be: node-exporter installed (its textfile collector serves the figures),
// the service and timer units written, the timer enabled. Pure; hooks/metrics-timer.ts applies it.
import { readlink, stat } from "node:fs/promises";
import { readFileIfExists } from "../fs/atomic";
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

export interface MetricsFacts {
  readonly exporterInstalled: boolean;
  readonly serviceFile: string | undefined;
  readonly timerFile: string | undefined;
  readonly timerEnabled: boolean;
}

/** Reads what planMetrics compares: three files and one link, no program run. */
export async function observeMetrics(): Promise<MetricsFacts> {
  const [exporter, serviceFile, timerFile, link] = await Promise.all([
    stat(NODE_EXPORTER_PATH).catch(() => undefined),
    readFileIfExists(METRICS_SERVICE_PATH),
    readFileIfExists(METRICS_TIMER_PATH),
    readlink(METRICS_TIMER_LINK).catch(() => undefined),
  ]);
  return {
    exporterInstalled: exporter?.isFile() ?? false,
    serviceFile,
    timerFile,
    timerEnabled: link === METRICS_TIMER_PATH,
  };
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

/** Every action the metrics need; none breaks traffic, so ./health never names one. */
export function planMetrics(
  facts: MetricsFacts,
  want: { service: string; timer: string } | undefined,
): Action[] {
  if (want === undefined) return [];
  const actions: Action[] = [];
  if (!facts.exporterInstalled)
    actions.push(
      act("metrics", { kind: "install-node-exporter" }, "prometheus-node-exporter is not installed"),
    );
  if (facts.serviceFile !== want.service || facts.timerFile !== want.timer)
    actions.push(act("metrics", { kind: "write-metrics-units" }, "the metrics timer's units differ"));
  if (!facts.timerEnabled)
    actions.push(act("metrics", { kind: "enable-metrics-timer" }, "the metrics timer is not enabled"));
  return actions;
}
