// The pure half of the FORWARD checks, and ./health's one look at the chain (no execa: ./health loads it).
import type { Run } from "./programs";

// Docker (and many firewall tools) set the FORWARD policy to DROP: overlay traffic between the bridge and
// flannel0 is forwarded, so it needs accept rules of its own. flanneld adds some (FLANNEL-FWD) but an
// `nft flush ruleset` removes its chain and it cannot re-add the jump; the charm keeps its own pair.

/** Marks the charm's rules, so removal finds exactly them. */
export const TAG = ["-m", "comment", "--comment", "flannel-charm"];
const HEALTH_TIMEOUT_MS = 3_000;
/** The arguments of ./health's look at filter FORWARD (the health script runs the same). */
export const FORWARD_HEALTH_ARGS = ["-w", "2", "-S", "FORWARD"];

/** The FORWARD accept rules for the overlay network, as iptables rule specs (without -A/-I/-D). */
export function computeForwardRules(network: string): string[][] {
  return [
    ["-s", network, ...TAG, "-j", "ACCEPT"],
    ["-d", network, ...TAG, "-j", "ACCEPT"],
  ];
}

/** The charm's rules missing from `iptables -S FORWARD` output. */
export function findMissingForwardRules(listing: string, network: string): string[][] {
  const lines = new Set(listing.split("\n").map((line) => line.trim()));
  return computeForwardRules(network).filter((rule) => !lines.has(`-A FORWARD ${rule.join(" ")}`));
}

/** The health reason token: only a FORWARD that drops makes missing rules stop the overlay. */
export function findForwardProblem(listing: string, network: string): "forward-dropped" | undefined {
  if (listing.split("\n").some((line) => line.trim() === "-P FORWARD ACCEPT")) return undefined;
  return findMissingForwardRules(listing, network).length > 0 ? "forward-dropped" : undefined;
}

/** ./health's one look at filter FORWARD, short-bounded; undefined when iptables cannot answer. */
export async function readForwardRulesForHealth(run: Run): Promise<string | undefined> {
  const options = { timeoutMs: HEALTH_TIMEOUT_MS };
  const { exitCode, stdout } = await run("iptables", FORWARD_HEALTH_ARGS, options);
  return exitCode === 0 ? stdout : undefined;
}
