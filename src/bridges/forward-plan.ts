// The pure half of the FORWARD checks (no execa: ./health loads it).

// Docker (and many firewall tools) set the FORWARD policy to DROP: overlay traffic between the bridge and
// flannel0 is forwarded, so it needs accept rules of its own. flanneld adds some (FLANNEL-FWD) but an
// `nft flush ruleset` removes its chain and it cannot re-add the jump; the charm keeps its own pair.

/** Marks the charm's rules, so removal finds exactly them. */
export const TAG = ["-m", "comment", "--comment", "flannel-charm"];

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
