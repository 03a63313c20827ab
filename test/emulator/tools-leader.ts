import { checkEmpty } from "./flags";
import { formatFlag } from "./output";
import { parseKeyValues } from "./relation-args";
import type { Tool } from "./tool";
import { ToolError, usageError } from "./tool-error";

/** leader-get [<key>|-]: the application's leader settings, readable by every unit. */
export const leaderGet: Tool = {
  flags: [formatFlag],
  formatted: true,
  args: "[<key>]",
  purpose: "print application leadership settings",
  run: ({ args, model }) => {
    const [key, ...rest] = args;
    if (key?.includes("=")) throw usageError(`invalid key "${key}"`);
    checkEmpty(rest);
    const settings = model.leaderSettings ?? {};
    if (key === undefined || key === "-") return settings;
    return settings[key] ?? null;
  },
};

/** leader-set key=value ...: only the leader writes; an empty value deletes the key. */
export const leaderSet: Tool = {
  flags: [],
  mutates: true,
  args: "<key>=<value> [...]",
  purpose: "write application leadership settings",
  run: ({ args, model }) => {
    const changes = parseKeyValues(args);
    if (!model.leader) {
      throw new ToolError("cannot write leadership settings: cannot write settings: not the leader");
    }
    const settings = { ...model.leaderSettings };
    for (const [key, value] of Object.entries(changes)) {
      if (value === "") delete settings[key];
      else settings[key] = value;
    }
    model.leaderSettings = settings;
  },
};
