import { checkEmpty } from "./flags";
import { formatFlag } from "./output";
import { parseKeyValues, parseStringMap, readArgumentFile } from "./relation-args";
import type { Tool } from "./tool";
import { ToolError } from "./tool-error";

/** state-get [--strict] [<key>|-]: the unit's own key/value store, kept by the controller. */
export const stateGet: Tool = {
  flags: [
    formatFlag,
    { names: ["strict"], bool: true, doc: "Return an error if the requested key does not exist" },
  ],
  formatted: true,
  args: "[<key>]",
  purpose: "print server-side-state value(s)",
  run: ({ flags, args, model }) => {
    const [key, ...rest] = args;
    checkEmpty(rest);
    const state = model.unitState ?? {};
    if (key === undefined || key === "-") return state;
    const value = state[key];
    if (value === undefined && flags.values.has("strict")) throw new ToolError(`"${key}" not found`);
    return value ?? null;
  },
};

/** state-set [--file F] key=value ...: an empty value deletes the key. */
export const stateSet: Tool = {
  flags: [{ names: ["file"] }],
  mutates: true,
  args: "key=value [key=value ...]",
  purpose: "set server-side-state values",
  run: (call) => {
    const overrides = parseKeyValues(call.args);
    const file = call.flags.values.get("file");
    const fromFile = typeof file === "string" ? parseStringMap(readArgumentFile(call, file)) : {};
    const state = { ...call.model.unitState };
    for (const [key, value] of Object.entries({ ...fromFile, ...overrides })) {
      if (value === "") delete state[key];
      else state[key] = value;
    }
    call.model.unitState = state;
  },
};

/** state-delete <key>: deleting a missing key is not an error. */
export const stateDelete: Tool = {
  flags: [],
  mutates: true,
  args: "<key>",
  purpose: "delete server-side-state key value pairs",
  run: ({ args, model }) => {
    const [key, ...rest] = args;
    checkEmpty(rest);
    if (key === undefined || key === "") return;
    const state = { ...model.unitState };
    delete state[key];
    model.unitState = state;
  },
};
