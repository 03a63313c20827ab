import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { ConfigValue } from "./model";

export interface Endpoint {
  role: "requires" | "provides" | "peers";
  interface: string;
}

export interface ConfigOption {
  type: string;
  default: ConfigValue | null;
}

/** What the emulated controller knows of a charm: metadata.yaml, config.yaml and actions.yaml. */
export interface CharmMeta {
  name: string;
  endpoints: Record<string, Endpoint>;
  extraBindings: string[];
  resources: string[];
  options: Record<string, ConfigOption>;
  actions: Record<string, Record<string, unknown>>;
}

type Yaml = Record<string, unknown>;

function readYaml(charmDir: string, file: string): Yaml {
  const path = join(charmDir, file);
  if (!existsSync(path)) return {};
  return (parse(readFileSync(path, "utf8")) ?? {}) as Yaml;
}

function section(doc: Yaml, key: string): Yaml {
  return (doc[key] ?? {}) as Yaml;
}

function readEndpoints(meta: Yaml): Record<string, Endpoint> {
  const out: Record<string, Endpoint> = {};
  for (const role of ["requires", "provides", "peers"] as const) {
    for (const [name, spec] of Object.entries(section(meta, role))) {
      const iface = typeof spec === "string" ? spec : String((spec as Yaml)?.interface ?? "");
      out[name] = { role, interface: iface };
    }
  }
  return out;
}

function readOptions(config: Yaml): Record<string, ConfigOption> {
  const entries = Object.entries(section(config, "options")).map(([name, spec]) => {
    const s = (spec ?? {}) as Yaml;
    return [name, { type: String(s.type ?? "string"), default: (s.default ?? null) as ConfigValue | null }];
  });
  return Object.fromEntries(entries);
}

/** Default values of each action's params, from actions.yaml's JSON-schema-like params. */
function readActions(actions: Yaml): Record<string, Record<string, unknown>> {
  const entries = Object.entries(actions).map(([name, spec]) => {
    const params = section((spec ?? {}) as Yaml, "params");
    const defaults = Object.entries(params)
      .filter(([, p]) => (p as Yaml)?.default !== undefined)
      .map(([key, p]) => [key, (p as Yaml).default]);
    return [name, Object.fromEntries(defaults)];
  });
  return Object.fromEntries(entries);
}

export function loadCharm(charmDir: string): CharmMeta {
  const meta = readYaml(charmDir, "metadata.yaml");
  return {
    name: String(meta.name ?? ""),
    endpoints: readEndpoints(meta),
    extraBindings: Object.keys(section(meta, "extra-bindings")),
    resources: Object.keys(section(meta, "resources")),
    options: readOptions(readYaml(charmDir, "config.yaml")),
    actions: readActions(readYaml(charmDir, "actions.yaml")),
  };
}
