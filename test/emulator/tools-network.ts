import { checkEmpty } from "./flags";
import type { Model, NetworkBinding } from "./model";
import { chooseFormat, formatFlag, goStruct } from "./output";
import { relationFlag } from "./relation-args";
import type { Tool } from "./tool";
import { ToolError, usageError } from "./tool-error";

const single = ["bind-address", "ingress-address", "egress-subnets"] as const;

/** The binding as the model fixes it, else one NIC with the unit's private address on a /24. */
function bindingOf(model: Model, name: string): NetworkBinding {
  const fixed = model.networks?.[name];
  if (fixed) return fixed;
  const address = model.privateAddress;
  const cidr = `${address.split(".").slice(0, 3).join(".")}.0/24`;
  return {
    interfaces: [{ macAddress: "", interfaceName: "eth0", addresses: [{ address, cidr }] }],
    ingressAddresses: [address],
    egressSubnets: [`${address}/32`],
  };
}

/** Juju's display structs; YAML keeps the pre-Juju-3 duplicate keys (address, macaddress, interfacename). */
function display(binding: NetworkBinding, yaml: boolean): Record<string, unknown> {
  const nics = binding.interfaces.map((nic) => {
    const addresses = nic.addresses.map((a) =>
      goStruct({
        hostname: a.hostname ?? "",
        value: a.address,
        cidr: a.cidr,
        address: yaml ? a.address : undefined,
      }),
    );
    const legacy = yaml ? { macaddress: nic.macAddress, interfacename: nic.interfaceName } : {};
    return goStruct({
      "mac-address": nic.macAddress,
      "interface-name": nic.interfaceName,
      addresses,
      ...legacy,
    });
  });
  const nonEmpty = (list: string[] | undefined) => (list && list.length > 0 ? list : undefined);
  return goStruct({
    "bind-addresses": nonEmpty(nics as unknown as string[]),
    "egress-subnets": nonEmpty(binding.egressSubnets),
    "ingress-addresses": nonEmpty(binding.ingressAddresses),
  });
}

function firstAddress(binding: NetworkBinding, name: string): string {
  const address = binding.interfaces[0]?.addresses[0]?.address;
  if (address === undefined) throw new ToolError(`no addresses attached to space for binding "${name}"`);
  return address;
}

function pick(binding: NetworkBinding, key: string, name: string): unknown {
  if (key === "egress-subnets") return binding.egressSubnets ?? [];
  if (key === "ingress-address") return binding.ingressAddresses?.[0] ?? firstAddress(binding, name);
  return firstAddress(binding, name);
}

export const networkGet: Tool = {
  flags: [
    formatFlag,
    relationFlag,
    { names: ["primary-address"], bool: true },
    ...single.map((name) => ({ names: [name], bool: true })),
  ],
  formatted: true,
  args: "<binding-name> [--ingress-address] [--bind-address] [--egress-subnets]",
  purpose: "get network config",
  run: ({ flags, args, model }) => {
    const [name, ...rest] = args;
    if (name === undefined) throw usageError("no arguments specified");
    if (name === "") throw usageError("no binding name specified");
    checkEmpty(rest);
    const known = model.networks
      ? name in model.networks
      : model.endpoints.length === 0 || model.endpoints.includes(name);
    const binding = known ? bindingOf(model, name) : undefined;
    if (!binding || binding.interfaces.length === 0) {
      throw new ToolError(`no network config found for binding "${name}"`);
    }
    if (flags.values.has("primary-address")) return firstAddress(binding, name);
    const chosen = single.filter((key) => flags.values.has(key));
    if (chosen.length === 1) return pick(binding, chosen[0] as string, name);
    if (chosen.length === 0) return display(binding, chooseFormat(flags) !== "json");
    return Object.fromEntries(chosen.map((key) => [key, pick(binding, key, name)]));
  },
};
