// The metrics_alert_rules the cos_agent library sends: the groups of every rules file in the charm's rules
// directory, then cosl's generic HostHealth group, each group renamed after the topology and each rule
// given the juju_* labels it lacks. Expressions stay as written: the library rewrites them only with a
// cos-tool binary, which a provider charm does not ship.
import { parse } from "yaml";
import { type Topology, topologyIdentifier, topologyLabels } from "./topology";

export interface RulesFile {
  /** The file's name, e.g. flannel.rules. */
  readonly name: string;
  readonly text: string;
}

type Rule = Record<string, unknown> & { labels?: Record<string, string> };
interface Group {
  name: string;
  rules: Rule[];
}

/** Suffixes the library reads from its rules directory (not recursively). */
export const RULES_SUFFIXES = [".rule", ".rules", ".yml", ".yaml"];

/** cosl's generic application rules, as the library adds them to every provider's. */
const GENERIC_GROUPS: Group[] = [
  {
    name: "HostHealth",
    rules: [
      {
        alert: "HostDown",
        expr: "up < 1",
        for: "5m",
        labels: { severity: "critical" },
        annotations: {
          summary: "Host '{{ $labels.instance }}' is down.",
          description:
            "Juju application '{{ $labels.juju_application }}' in model '{{ $labels.juju_model }}' is down. Prometheus has been unable to scrape it during at least the past five minutes.",
        },
      },
      {
        alert: "HostMetricsMissing",
        expr: "absent(up)",
        for: "5m",
        labels: { severity: "warning" },
        annotations: {
          summary:
            "Unit '{{ $labels.juju_unit }}' of application '{{ $labels.juju_application }}' is down or failing to remote write.",
          description:
            "`Up` missing for unit '{{ $labels.juju_unit }}' of application {{ $labels.juju_application }} in model {{ $labels.juju_model }}. Please ensure the unit or the collector scraping it is up and is able to successfully reach the metrics backend.",
        },
      },
    ],
  },
];

/** The metrics_alert_rules value: {"groups": [...]} (files sorted by name, as the library globs them). */
export function renderMetricsAlertRules(
  files: readonly RulesFile[],
  topology: Topology,
): { groups: Group[] } {
  const identifier = topologyIdentifier(topology);
  const fromFiles = [...files]
    .filter((file) => RULES_SUFFIXES.some((suffix) => file.name.endsWith(suffix)))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((file) => groupsOf(file));
  const groups = [...fromFiles, ...structuredClone(GENERIC_GROUPS)].map((group) =>
    withTopology(group, identifier, topology),
  );
  return { groups };
}

function groupsOf(file: RulesFile): Group[] {
  const parsed = parse(file.text) as { groups?: Group[] } | null;
  if (!parsed?.groups) throw new Error(`${file.name}: not a rules file with groups`);
  return parsed.groups;
}

// A name already of the form <…>_<8 hex>_<…>rules was renamed by a provider before: left as it is.
const ALREADY_RENAMED = /^.*?_[\da-f]{8}_.*?rules$/;

function withTopology(group: Group, identifier: string, topology: Topology): Group {
  let name = group.name;
  if (!ALREADY_RENAMED.test(name)) {
    name = [identifier, name].filter((part) => part !== "").join("_");
    if (!name.endsWith("_rules")) name += "_rules";
  }
  const labels = topologyLabels(topology);
  const rules = group.rules.map((rule) => {
    const own = rule.labels ?? {};
    const added = Object.fromEntries(Object.entries(labels).filter(([key]) => !(key in own)));
    return "labels" in rule ? { ...rule, labels: { ...own, ...added } } : { ...rule, labels: added };
  });
  return { name: name.replace(/[^a-zA-Z0-9_:]/g, "_"), rules };
}
