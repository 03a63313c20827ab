import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { renderLxcNetDropIn } from "../../../src/bridges/lxc/masquerade";
import type { Lease } from "../../../src/flannel/subnet-env";

const lease: Lease = { network: "10.10.0.0/16", subnet: "10.10.16.1/24", mtu: 1472, ipMasq: true };
const NAT = "/usr/sbin/iptables -w 5 -t nat";
const OVERLAY = "-s 10.10.16.0/24 -d 10.10.0.0/16 -m comment --comment flannel-charm -j RETURN";
const ALL = "-s 10.10.16.0/24 -m comment --comment flannel-charm -j RETURN";

describe("renderLxcNetDropIn", () => {
  it("defect 6: with ip-masq, exempts only traffic to the overlay; iptables waits 5 s at most for the lock and the start is bounded", () => {
    expect(renderLxcNetDropIn(lease, true)).toBe(
      [
        "# Managed by the flannel charm: traffic between overlay subnets keeps its source address.",
        "[Service]",
        "TimeoutStartSec=30",
        `ExecStartPost=-${NAT} -D POSTROUTING ${OVERLAY}`,
        `ExecStartPost=${NAT} -I POSTROUTING 1 ${OVERLAY}`,
        "ExecStartPost=/usr/sbin/ip link set dev lxcbr0 mtu 1472",
        `ExecStopPost=-${NAT} -D POSTROUTING ${OVERLAY}`,
        "",
      ].join("\n"),
    );
  });

  it("without ip-masq, exempts everything from the lxc subnet", () => {
    expect(renderLxcNetDropIn({ ...lease, subnet: "10.10.16.65/26", mtu: 1450 }, false)).toBe(
      [
        "# Managed by the flannel charm: traffic between overlay subnets keeps its source address.",
        "[Service]",
        "TimeoutStartSec=30",
        `ExecStartPost=-${NAT} -D POSTROUTING ${OVERLAY.replace("10.10.16.0/24", "10.10.16.64/26")}`,
        `ExecStartPost=-${NAT} -D POSTROUTING ${ALL.replace("10.10.16.0/24", "10.10.16.64/26")}`,
        `ExecStartPost=${NAT} -I POSTROUTING 1 ${OVERLAY.replace("10.10.16.0/24", "10.10.16.64/26")}`,
        `ExecStartPost=${NAT} -I POSTROUTING 1 ${ALL.replace("10.10.16.0/24", "10.10.16.64/26")}`,
        "ExecStartPost=/usr/sbin/ip link set dev lxcbr0 mtu 1450",
        `ExecStopPost=-${NAT} -D POSTROUTING ${OVERLAY.replace("10.10.16.0/24", "10.10.16.64/26")}`,
        `ExecStopPost=-${NAT} -D POSTROUTING ${ALL.replace("10.10.16.0/24", "10.10.16.64/26")}`,
        "",
      ].join("\n"),
    );
  });
});

const LXC_NET_SERVICE = "/lib/systemd/system/lxc-net.service";

/** systemd-analyze verify of Debian's installed lxc-net.service with the drop-in beside it. */
async function verifyWithDropIn(dropIn: string) {
  const dir = await mkdtemp(join(tmpdir(), "lxc-net-drop-in-"));
  try {
    await mkdir(join(dir, "lxc-net.service.d"));
    await copyFile(LXC_NET_SERVICE, join(dir, "lxc-net.service"));
    await writeFile(join(dir, "lxc-net.service.d", "flannel.conf"), dropIn);
    return await execa("systemd-analyze", ["verify", join(dir, "lxc-net.service")], {
      reject: false,
      all: true,
      env: { SYSTEMD_UNIT_PATH: `${dir}:` },
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("the drop-in with the installed lxc-net.service", () => {
  it.each([true, false])("passes systemd-analyze verify (ip-masq %s)", async (ipMasq) => {
    const result = await verifyWithDropIn(renderLxcNetDropIn(lease, ipMasq));
    expect(result.all).toBe("");
    expect(result.exitCode).toBe(0);
  });

  it("fails verification for a broken drop-in (the check can fail)", async () => {
    const result = await verifyWithDropIn("[Service]\nExecStartPost=/usr/sbin/no-such-iptables -L\n");
    expect(result.exitCode).not.toBe(0);
    expect(result.all).toContain("no-such-iptables");
  });
});
