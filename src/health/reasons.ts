// Every reason token a not-ready ./health line can end with, and what it means to an operator.
// README's "./health reasons" table lists the same lines (a test keeps them equal).

export const REASONS = {
  "no-state":
    "no hook has run on this machine (the charm is not deployed here, or its install hook never ran)",
  blocked: "the unit is blocked: `juju status` shows why and which config value to set back",
  "no-etcd-relation": "not related to etcd yet: run `juju integrate flannel etcd`",
  "flanneld-inactive": "the flannel service is not running: see `journalctl -u flannel` on the machine",
  "no-lease": "flanneld has not written /run/flannel/subnet.env yet (no subnet leased from etcd)",
  "bad-lease": "/run/flannel/subnet.env is malformed (a bad line, a value set twice, or a value missing)",
  "public-ip-gone":
    "flanneld announces an address this machine no longer has (renumbered), so peers send its traffic nowhere (the next hook re-registers the lease)",
  "ip-forward-off":
    "net.ipv4.ip_forward is 0, so the machine forwards nothing between its containers and the overlay (the next hook turns it on)",
  "flannel-device-missing":
    "flanneld's device (flannel0 for udp, flannel.1 for vxlan) is gone (the next hook restarts flanneld, which keeps its lease)",
  "flannel-device-down": "flanneld's device is down (the next hook sets it up)",
  "flannel-device-mismatch":
    "flanneld's device has another MTU than the lease's (the next hook sets it back)",
  "overlay-route-missing":
    "the route to the flannel network through flannel0 is gone (the next hook adds it back, as flanneld does)",
  "bridge-missing": "the container bridge (lxcbr0 or docker0) does not exist",
  "bridge-mismatch": "the container bridge does not have the leased subnet's address",
  "bridge-down": "the container bridge is down (the next hook sets it up)",
  "containers-detached":
    "containers' veths are on no bridge, as a deleted and remade bridge leaves them (the next hook puts them back on it)",
  "mtu-mismatch": "the container bridge's MTU differs from the overlay MTU in subnet.env",
  "lxc-net-down":
    "lxc-net is not started or its dnsmasq is gone, so containers get no address (the next hook restarts lxc-net)",
  "lxc-net-rules-missing":
    "lxc-net's own iptables rules (FORWARD accepts, MASQUERADE out of the network) are gone (the next hook restarts lxc-net)",
  "nat-exemption-missing":
    "the nat rule that keeps overlay traffic out of lxc-net's masquerade is gone (the next hook puts it back)",
  "forward-dropped":
    "filter FORWARD drops (Docker sets that policy) and the charm's accept rules for the overlay are gone, e.g. after a firewall reload (the next hook puts them back)",
  "nat-masquerade":
    "something masquerades docker0's subnet, so containers reach peers under the machine's address (the next hook removes it)",
  waiting:
    "the last hook is waiting for something (etcd unreachable, a restart pending): `juju status` says what",
  "health-error": "./health itself failed; the reason is on its stderr",
  "no-nodejs": "no Node.js >= 18 on the machine, so ./health cannot run",
  "no-bundle": "lib/health.cjs is missing: a source tree, not a packed charm (run `npm run pack`)",
} as const;

export type Reason = keyof typeof REASONS;

/** `./health --explain [TOKEN]`: one `token  meaning` line per reason, or just the one asked for. */
export function explainReasons(token?: string): { text: string; exitCode: 0 | 1 } {
  const width = Math.max(...Object.keys(REASONS).map((r) => r.length));
  const line = ([reason, meaning]: [string, string]) => `${reason.padEnd(width)}  ${meaning}`;
  if (token === undefined) return { text: `${Object.entries(REASONS).map(line).join("\n")}\n`, exitCode: 0 };
  const reason = token.replace(/^reason:/, "");
  if (reason in REASONS) return { text: `${line([reason, REASONS[reason as Reason]])}\n`, exitCode: 0 };
  return { text: `unknown reason '${token}'; known: ${Object.keys(REASONS).join(", ")}\n`, exitCode: 1 };
}
