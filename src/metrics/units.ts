// The service and timer that refresh the textfile between hooks. Exact text, so that an unchanged unit
// renders byte-identical and the hooks' plan is empty.

export const METRICS_SERVICE = "flannel-metrics.service";
export const METRICS_TIMER = "flannel-metrics.timer";
export const METRICS_SERVICE_PATH = `/etc/systemd/system/${METRICS_SERVICE}`;
export const METRICS_TIMER_PATH = `/etc/systemd/system/${METRICS_TIMER}`;
/** Where `systemctl enable` links the timer (its WantedBy=timers.target). */
export const METRICS_TIMER_LINK = `/etc/systemd/system/timers.target.wants/${METRICS_TIMER}`;
/** How often the figures are refreshed: twice per default scrape interval of one minute. */
export const METRICS_INTERVAL_SECONDS = 30;

export interface MetricsUnitOptions {
  /** The Node.js the hooks run with (its absolute path). */
  readonly node: string;
  /** The unpacked charm, where lib/metrics.cjs is. */
  readonly charmDir: string;
  /** The Juju unit, put on every sample. */
  readonly unit: string;
}

// No whitespace, quotes, backslashes, "$" or "%": systemd would split, unquote, expand or substitute them.
const SAFE = /^[A-Za-z0-9_@+=:,./-]+$/;

/** The oneshot service: one collection, niced, bounded well below the interval. */
export function renderMetricsService(options: MetricsUnitOptions): string {
  const command = [options.node, `${options.charmDir}/lib/metrics.cjs`, "--unit", options.unit];
  for (const part of command) checkPart(part);
  return [
    "# Written by the flannel charm: local changes are overwritten.",
    "[Unit]",
    "Description=flannel overlay metrics for node-exporter's textfile collector",
    "After=flannel.service",
    "",
    "[Service]",
    "Type=oneshot",
    `ExecStart=${command.join(" ")}`,
    "Nice=10",
    // The mesh probe ends within 5 s; a collection stuck longer must not pile up behind the timer.
    "TimeoutStartSec=25s",
    "",
  ].join("\n");
}

/** The timer: first run at once, then every 30 s after the last run started. */
export function renderMetricsTimer(): string {
  return [
    "# Written by the flannel charm: local changes are overwritten.",
    "[Unit]",
    `Description=Refresh flannel overlay metrics every ${METRICS_INTERVAL_SECONDS} s`,
    "",
    "[Timer]",
    "OnActiveSec=0",
    `OnUnitActiveSec=${METRICS_INTERVAL_SECONDS}s`,
    // systemd's default accuracy is one minute: the figures would then be as old as update-status's.
    "AccuracySec=1s",
    "",
    "[Install]",
    "WantedBy=timers.target",
    "",
  ].join("\n");
}

function checkPart(value: string): void {
  if (SAFE.test(value)) return;
  throw new RangeError(
    `${JSON.stringify(value.slice(0, 80))} cannot go on the metrics service's command line: ` +
      "use only letters, digits and _@+=:,./-",
  );
}
