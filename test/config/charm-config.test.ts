import { describe, expect, it } from "vitest";
import { parseCharmConfig } from "../../src/config/charm-config";

const DEFAULTS = {
  containerType: "lxc",
  backend: "udp",
  network: "10.10.0.0/16",
  subnetLen: 24,
  etcdPrefix: "/coreos.com/network",
  iface: "",
  ipMasq: true,
};

describe("parseCharmConfig", () => {
  it("applies config.yaml's defaults to what config-get omits", () => {
    expect(parseCharmConfig({})).toEqual({ ok: true, config: DEFAULTS });
  });

  it("treats null (an unknown or unset key) as unset", () => {
    expect(parseCharmConfig({ network: null, iface: null })).toEqual({ ok: true, config: DEFAULTS });
  });

  it("normalises a trailing slash on the prefix and spaces around iface", () => {
    const result = parseCharmConfig({ "etcd-prefix": "/flannel/net/", iface: " eth1 " });
    expect(result.ok && [result.config.etcdPrefix, result.config.iface]).toEqual(["/flannel/net", "eth1"]);
  });

  it("reports every problem at once, each naming the option, the value and a fix", () => {
    const result = parseCharmConfig({
      "container-type": "lxd",
      backend: "gre",
      network: "10.10.1.0/16",
      "subnet-len": 12,
      "etcd-prefix": "coreos.com",
      iface: "eth0; reboot",
      "ip-masq": "yes",
    });
    expect(result).toEqual({
      ok: false,
      problems: [
        'container-type must be one of lxc, docker, none; got "lxd"',
        'backend must be one of udp, vxlan, host-gw; got "gre"',
        'network "10.10.1.0/16" has host bits set; did you mean 10.10.0.0/16?',
        "subnet-len 12 must be longer than the network's /16 and at most 30",
        'etcd-prefix must be an absolute key path such as /coreos.com/network; got "coreos.com"',
        `iface must be an interface name or an IPv4 address (or empty for the unit's private address); got "eth0; reboot"`,
        'ip-masq must be true or false, got "yes"',
      ],
    });
  });

  it("rejects a network that is not a CIDR", () => {
    const result = parseCharmConfig({ network: "10.10.0.0" });
    expect(result.ok ? [] : result.problems[0]).toMatch(
      /^network must be an IPv4 CIDR such as 10.10.0.0\/16; got "10.10.0.0"/,
    );
  });
});
