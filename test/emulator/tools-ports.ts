import { checkEmpty } from "./flags";
import type { Model } from "./model";
import { formatFlag } from "./output";
import { type Tool, type ToolCall, warnDeprecatedFormat } from "./tool";
import { usageError } from "./tool-error";

const portFormat = "<port>[/<protocol>] or <from>-<to>[/<protocol>] or icmp";

interface PortRange {
  from: number;
  to: number;
  protocol: string;
}

function checkRange(r: PortRange): void {
  if (r.protocol === "icmp") return;
  if (r.from > r.to)
    throw usageError(`invalid port range ${r.from}-${r.to}/${r.protocol}; expected fromPort <= toPort`);
  for (const [label, port] of [
    [r.from === r.to ? "port" : "fromPort", r.from],
    ["toPort", r.to],
  ] as const) {
    if (port < 1 || port > 65535) throw usageError(`${label} must be in the range [1, 65535]; got "${port}"`);
  }
  if (r.protocol !== "tcp" && r.protocol !== "udp") {
    throw usageError(`protocol must be "tcp", "udp", or "icmp"; got "${r.protocol}"`);
  }
}

/** Parses Juju's port forms: 80, 80/tcp, 8000-8100/udp, icmp (protocol defaults to tcp). */
export function parsePortRange(text: string): PortRange {
  const lower = text.toLowerCase();
  if (lower === "icmp") return { from: -1, to: -1, protocol: "icmp" };
  const match = /^([0-9]+)(?:-([0-9]+))?(?:\/([a-z0-9]+))?$/.exec(lower);
  if (!match) throw usageError(`expected ${portFormat}; got "${text}"`);
  const from = Number(match[1]);
  const range = { from, to: match[2] ? Number(match[2]) : from, protocol: match[3] ?? "tcp" };
  checkRange(range);
  return range;
}

export function renderPortRange(r: PortRange): string {
  if (r.protocol === "icmp") return "icmp";
  return r.from === r.to ? `${r.from}/${r.protocol}` : `${r.from}-${r.to}/${r.protocol}`;
}

function parseCall(call: ToolCall, name: string): string {
  const [spec, ...rest] = call.args;
  if (spec === undefined) throw usageError("no port or range specified");
  const port = renderPortRange(parsePortRange(spec));
  checkEmpty(rest);
  warnDeprecatedFormat(call, name);
  return port;
}

function portTool(name: string, apply: (model: Model, port: string) => void): Tool {
  return {
    flags: [formatFlag, { names: ["endpoints"] }],
    mutates: true,
    args: "<port>[/<protocol>] or <from>-<to>[/<protocol>] or icmp",
    purpose: `${name === "open-port" ? "register a request to open" : "register a request to close"} a port or port range`,
    run: (call) => apply(call.model, parseCall(call, name)),
  };
}

export const openPort = portTool("open-port", (model, port) => {
  if (!model.ports.includes(port)) model.ports.push(port);
});

export const closePort = portTool("close-port", (model, port) => {
  model.ports = model.ports.filter((p) => p !== port);
});

/** Sorted by protocol, then port, as `juju status` lists them. */
function comparePorts(a: string, b: string): number {
  const pa = parsePortRange(a);
  const pb = parsePortRange(b);
  if (pa.protocol !== pb.protocol) return pa.protocol < pb.protocol ? -1 : 1;
  return pa.from - pb.from || pa.to - pb.to;
}

export const openedPorts: Tool = {
  flags: [formatFlag, { names: ["endpoints"], bool: true }],
  formatted: true,
  purpose: "list all ports or port ranges opened by the unit",
  run: ({ args, model }) => {
    checkEmpty(args);
    return [...model.ports].sort(comparePorts);
  },
};
