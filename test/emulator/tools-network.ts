import { checkEmpty } from "./flags";
import type { Model } from "./model";
import { formatFlag } from "./output";
import type { Tool } from "./tool";
import { ToolError, usageError } from "./tool-error";

const single = ["primary-address", "bind-address", "ingress-address", "egress-subnets"] as const;

/** One NIC with the unit's private address on a /24, which is all a machine unit needs here. */
function networkInfo(model: Model): Record<string, unknown> {
  const address = model.privateAddress;
  const cidr = `${address.split(".").slice(0, 3).join(".")}.0/24`;
  return {
    "bind-addresses": [
      {
        "mac-address": "",
        "interface-name": "eth0",
        addresses: [{ hostname: "", value: address, cidr, address }],
      },
    ],
    "egress-subnets": [`${address}/32`],
    "ingress-addresses": [address],
  };
}

function pickSingle(model: Model, key: string): unknown {
  if (key === "egress-subnets") return `${model.privateAddress}/32`;
  return model.privateAddress;
}

export const networkGet: Tool = {
  flags: [formatFlag, { names: ["r", "relation"] }, ...single.map((name) => ({ names: [name], bool: true }))],
  formatted: true,
  run: ({ flags, args, model }) => {
    const [binding, ...rest] = args;
    if (binding === undefined) throw usageError("no arguments specified");
    checkEmpty(rest);
    if (model.endpoints.length > 0 && !model.endpoints.includes(binding)) {
      throw new ToolError(`no network config found for binding "${binding}"`);
    }
    const chosen = single.filter((name) => flags.values.has(name));
    if (chosen.length === 1) return pickSingle(model, chosen[0] as string);
    const info = networkInfo(model);
    if (chosen.length === 0) return info;
    return Object.fromEntries(chosen.map((name) => [name, pickSingle(model, name)]));
  },
};
