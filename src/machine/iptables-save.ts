// One `iptables-save` instead of one `iptables -S` per table: each iptables process fetches the whole ruleset
// from the kernel anyway (iptables-nft), so a second process costs a start and a second fetch for nothing.
// The listings keep `iptables -S`'s form, which the plans compare rules against.

/** Every table's rules, read once; no lock is taken (nothing is changed). */
export const IPTABLES_SAVE = ["iptables-save"] as const;

/** nat POSTROUTING and the filter table, each as `iptables -S` prints it. */
export interface RuleListings {
  readonly nat: string;
  readonly filter: string;
}

// What `iptables -S` prints for a table the kernel does not hold yet (iptables-save leaves it out).
const EMPTY_NAT = ["-P POSTROUTING ACCEPT"];
const EMPTY_FILTER = ["-P INPUT ACCEPT", "-P FORWARD ACCEPT", "-P OUTPUT ACCEPT"];

/** Turns iptables-save's output into the listings `iptables -t nat -S POSTROUTING` and `iptables -S` give. */
export function toRuleListings(saved: string): RuleListings {
  const tables = parseTables(saved);
  const nat = (tables.get("nat") ?? EMPTY_NAT).filter((line) => /^-[PA] POSTROUTING /.test(line));
  return { nat: lines(nat), filter: lines(tables.get("filter") ?? EMPTY_FILTER) };
}

function parseTables(saved: string): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  let table: string[] | undefined;
  for (const line of saved.split("\n")) {
    if (line.startsWith("*")) {
      table = [];
      tables.set(line.slice(1).trim(), table);
    } else if (line === "COMMIT") table = undefined;
    else if (table && line.startsWith(":")) table.push(chainLine(line));
    else if (table && line.startsWith("-A ")) table.push(line);
  }
  return tables;
}

// `:FORWARD DROP [0:0]` is `-P FORWARD DROP`; `:DOCKER - [0:0]` (a chain of its own) is `-N DOCKER`.
function chainLine(declaration: string): string {
  const [name, policy] = declaration.slice(1).split(" ");
  return policy === "-" ? `-N ${name}` : `-P ${name} ${policy}`;
}

function lines(list: readonly string[]): string {
  return list.map((line) => `${line}\n`).join("");
}
