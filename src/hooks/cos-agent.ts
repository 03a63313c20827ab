// The cos-agent relation (interface cos_agent): every unit writes, in its own unit databag, what the
// cos_agent library's COSAgentProvider writes (cos/unit-data.ts), when the relation is joined or changed
// and after an upgrade. The data holds no secret: rules, a dashboard and a localhost scrape job.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { RULES_SUFFIXES, renderMetricsAlertRules } from "../cos/alert-rules";
import { renderScrapeJobs } from "../cos/scrape-jobs";
import { COS_AGENT_KEY, COS_AGENT_RELATION, renderCosAgentConfig } from "../cos/unit-data";
import type { JujuContext } from "../juju/context";
import { relationGet, relationIds, relationSet } from "../juju/relation";

/** The library's default rules directory, in the unpacked charm (scripts/pack copies it there). */
export const RULES_DIR = "src/prometheus_alert_rules";
/** The dashboards, prepared and compressed at build time (scripts/build.mjs). */
export const DASHBOARDS_FILE = "lib/cos-dashboards.json";
const CHARM_NAME = "flannel";

/** Hooks after which the data is written again. */
export const COS_AGENT_HOOKS = new Set([
  `${COS_AGENT_RELATION}-relation-joined`,
  `${COS_AGENT_RELATION}-relation-changed`,
  "upgrade-charm",
]);

/** Writes the `config` key on every cos-agent relation where it differs; returns how many it changed. */
export async function publishCosAgent(context: JujuContext): Promise<number> {
  const ids = await relationIds(COS_AGENT_RELATION);
  if (ids.length === 0) return 0;
  const config = await buildCosAgentConfig(context);
  let changed = 0;
  for (const id of ids) {
    const mine = await relationGet(id, context.unitName);
    if (mine[COS_AGENT_KEY] === config) continue;
    await relationSet(id, { [COS_AGENT_KEY]: config });
    changed++;
  }
  return changed;
}

/** The `config` value for this unit, from the charm's rules directory and its built dashboards. */
export async function buildCosAgentConfig(context: JujuContext): Promise<string> {
  const topology = {
    model: context.modelName,
    modelUuid: context.modelUuid,
    application: context.appName,
    charmName: CHARM_NAME,
  };
  const [rules, dashboards] = await Promise.all([
    readRulesFiles(join(context.charmDir, RULES_DIR)),
    readFile(join(context.charmDir, DASHBOARDS_FILE), "utf8").then((text) => JSON.parse(text) as string[]),
  ]);
  return renderCosAgentConfig({
    metricsAlertRules: rules.length === 0 ? {} : renderMetricsAlertRules(rules, topology),
    dashboards,
    scrapeJobs: renderScrapeJobs(context.appName),
  });
}

async function readRulesFiles(dir: string) {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((name) =>
    RULES_SUFFIXES.some((suffix) => name.endsWith(suffix)),
  );
  return Promise.all(names.map(async (name) => ({ name, text: await readFile(join(dir, name), "utf8") })));
}
