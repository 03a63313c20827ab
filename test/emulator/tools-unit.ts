import { checkEmpty } from "./flags";
import { appName, type ConfigValue, type Model } from "./model";
import { formatFlag } from "./output";
import type { Tool } from "./tool";
import { ToolError, usageError } from "./tool-error";

/** Operator values over config.yaml defaults; null means "no value and no default". */
function mergedConfig(model: Model): Record<string, ConfigValue | null> {
  return { ...model.configDefaults, ...model.config };
}

function dropUnset(config: Record<string, ConfigValue | null>): Record<string, ConfigValue> {
  return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== null)) as Record<
    string,
    ConfigValue
  >;
}

export const configGet: Tool = {
  flags: [formatFlag, { names: ["a", "all"], bool: true, doc: "print all keys" }],
  formatted: true,
  args: "[<key>]",
  purpose: "print application configuration",
  run: ({ flags, args, model }) => {
    const [key, ...rest] = args;
    const all = flags.values.has("a");
    if (key !== undefined && all) throw usageError(`cannot use argument --all together with key "${key}"`);
    checkEmpty(rest);
    const config = mergedConfig(model);
    if (key === undefined) return all ? config : dropUnset(config);
    return config[key] ?? null;
  },
};

export const unitGet: Tool = {
  flags: [formatFlag],
  formatted: true,
  args: "<setting>",
  purpose: "print public-address or private-address",
  run: ({ args, model }) => {
    const [setting, ...rest] = args;
    if (setting === undefined) throw usageError("no setting specified");
    if (setting !== "private-address" && setting !== "public-address") {
      throw usageError(`unknown setting "${setting}"`);
    }
    checkEmpty(rest);
    return setting === "private-address" ? model.privateAddress : model.publicAddress;
  },
};

export const isLeader: Tool = {
  flags: [formatFlag],
  formatted: true,
  purpose: "print application leadership status",
  run: ({ args, model }) => {
    checkEmpty(args);
    return model.leader;
  },
};

/** Juju's message when a unit asks for a resource nobody attached (seen in ops' testing harness). */
function resourceNotFound(model: Model, name: string): string {
  const unitTag = `unit-${model.unitName.replace("/", "-")}`;
  const url = `https://127.0.0.1:17070/model/${model.modelUuid}/units/${unitTag}/resources/${name}`;
  return `could not download resource: HTTP request failed: Get ${url}: resource#${appName(model.unitName)}/${name} not found`;
}

export const resourceGet: Tool = {
  flags: [],
  args: "<resource name>",
  purpose: "get the path to the locally cached resource file",
  run: ({ args, model }) => {
    const [name, ...rest] = args;
    if (name === undefined) throw usageError("missing resource name");
    checkEmpty(rest);
    const path = model.resources[name];
    if (path === undefined) throw new ToolError(resourceNotFound(model, name));
    // Juju prints the bare path, without a newline.
    return path;
  },
};
