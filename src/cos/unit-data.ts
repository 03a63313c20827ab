// The one key the cos_agent library writes in the provider unit's databag: `config`, its
// CosAgentProviderUnitData as pydantic 2 dumps it (compact JSON, fields in declaration order, the
// optional ones as null).
import type { ScrapeJob } from "./scrape-jobs";

export const COS_AGENT_RELATION = "cos-agent";
export const COS_AGENT_KEY = "config";

export interface CosAgentData {
  readonly metricsAlertRules: { groups: unknown[] } | Record<string, never>;
  /** LZMA+base64 dashboards, as built into lib/cos-dashboards.json. */
  readonly dashboards: readonly string[];
  readonly scrapeJobs: readonly ScrapeJob[];
}

/** The `config` value. No Loki rules directory and no snap log slots: those fields are empty. */
export function renderCosAgentConfig(data: CosAgentData): string {
  return JSON.stringify({
    metrics_alert_rules: data.metricsAlertRules,
    log_alert_rules: {},
    dashboards: data.dashboards,
    subordinate: null,
    metrics_scrape_jobs: data.scrapeJobs,
    log_slots: [],
    tracing_protocols: null,
  });
}
