import { describe, expect, it } from "vitest";
import type { Action } from "../../src/machine/actions";
import {
  INSTALL_RETRY_CAP_MS,
  INSTALL_RETRY_FIRST_MS,
  installRetryAt,
  installRetryDelay,
  type MetricsFacts,
  planMetrics,
} from "../../src/machine/metrics-plan";
import { renderMetricsService, renderMetricsTimer } from "../../src/metrics/units";

/** When the facts were read: 2026-12-06T12:00:00Z. */
const NOW = Date.UTC(2026, 11, 6, 12);
const MINUTE = 60_000;

const WANT = {
  service: renderMetricsService({
    node: "/usr/bin/node",
    charmDir: "/var/lib/juju/agents/unit-flannel-0/charm",
    unit: "flannel/0",
  }),
  timer: renderMetricsTimer(),
};

const INSTALL: Action = {
  step: "metrics",
  effect: { kind: "install-node-exporter" },
  why: "prometheus-node-exporter is not installed",
};
const WRITE: Action = {
  step: "metrics",
  effect: { kind: "write-metrics-units" },
  why: "the metrics timer's units differ",
};
const ENABLE: Action = {
  step: "metrics",
  effect: { kind: "enable-metrics-timer" },
  why: "the metrics timer is not enabled",
};

/** A machine whose metrics are as they should be. */
function steady(change: Partial<MetricsFacts> = {}): MetricsFacts {
  return {
    exporterInstalled: true,
    installFailures: undefined,
    observedAt: NOW,
    serviceFile: WANT.service,
    timerFile: WANT.timer,
    timerEnabled: true,
    ...change,
  };
}

/** `count` failed installs in a row, the last `minutes` before NOW. */
function failedAgo(count: number, minutes: number) {
  return { count, lastAt: NOW - minutes * MINUTE, error: "apt-get failed (exit code 100)" };
}

/** A machine with no node-exporter, `count` failed installs in, the last `minutes` ago. */
function missing(count: number, minutes: number): MetricsFacts {
  return steady({ exporterInstalled: false, installFailures: failedAgo(count, minutes) });
}

describe("planMetrics", () => {
  it("plans nothing for a machine whose metrics are as they should be", () => {
    expect(planMetrics(steady(), WANT)).toEqual([]);
  });

  it("plans nothing when the units cannot be rendered for this charm", () => {
    expect(planMetrics(steady({ exporterInstalled: false, timerEnabled: false }), undefined)).toEqual([]);
  });

  const cases: [string, MetricsFacts, Action[]][] = [
    ["node-exporter missing, never tried", steady({ exporterInstalled: false }), [INSTALL]],
    [
      "a fresh machine",
      steady({ exporterInstalled: false, timerFile: undefined, timerEnabled: false }),
      [INSTALL, WRITE, ENABLE],
    ],
    ["the service edited", steady({ serviceFile: `${WANT.service}# edited\n` }), [WRITE]],
    [
      "the timer deleted and so disabled",
      steady({ timerFile: undefined, timerEnabled: false }),
      [WRITE, ENABLE],
    ],
    ["1 failure, 9 min ago", missing(1, 9), []],
    ["1 failure, 10 min ago", missing(1, 10), [INSTALL]],
    ["2 failures, 19 min ago", missing(2, 19), []],
    ["2 failures, 20 min ago", missing(2, 20), [INSTALL]],
    ["6 failures, 319 min ago", missing(6, 319), []],
    ["6 failures, 320 min ago", missing(6, 320), [INSTALL]],
    ["7 failures, 359 min ago", missing(7, 359), []],
    ["7 failures, 6 h ago", missing(7, 360), [INSTALL]],
    ["40 failures, 359 min ago", missing(40, 359), []],
    ["40 failures, 6 h ago", missing(40, 360), [INSTALL]],
    ["1 failure recorded 5 min in the future (the clock was set back)", missing(1, -5), [INSTALL]],
    [
      "1 failure, 9 min ago, on a fresh machine: units and timer still planned",
      { ...missing(1, 9), timerFile: undefined, timerEnabled: false },
      [WRITE, ENABLE],
    ],
    [
      "node-exporter installed by the operator after failures",
      steady({ installFailures: failedAgo(3, 1) }),
      [],
    ],
  ];

  it.each(cases)("%s", (_, facts, actions) => {
    expect(planMetrics(facts, WANT)).toEqual(actions);
  });
});

describe("installRetryDelay", () => {
  it("waits 10 min after a first failure and doubles up to 6 h", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 1000].map(installRetryDelay)).toEqual(
      [0, 10, 20, 40, 80, 160, 320, 360, 360, 360].map((minutes) => minutes * MINUTE),
    );
    expect(INSTALL_RETRY_FIRST_MS).toBe(10 * MINUTE);
    expect(INSTALL_RETRY_CAP_MS).toBe(360 * MINUTE);
  });
});

describe("installRetryAt", () => {
  it("is the end of the wait while it lasts, undefined otherwise", () => {
    expect(installRetryAt(missing(2, 5))).toBe(NOW + 15 * MINUTE);
    expect(installRetryAt(missing(2, 20))).toBeUndefined();
    expect(installRetryAt(steady())).toBeUndefined();
  });
});
