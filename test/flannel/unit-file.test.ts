import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { etcdTlsPaths } from "../../src/etcd/tls-files";
import { type FlanneldOptions, renderFlanneldArgs, renderUnitFile } from "../../src/flannel/unit-file";

const BASE: FlanneldOptions = {
  endpoints: ["https://10.0.0.5:2379", "https://10.0.0.6:2379"],
  etcdPrefix: "/coreos.com/network",
  tls: etcdTlsPaths(),
  iface: "",
  privateAddress: "10.0.0.7",
  ipMasq: true,
};

const EXPECTED_UNIT = `# Written by the flannel charm: local changes are overwritten.
[Unit]
Description=flannel overlay network (flanneld)
Documentation=https://github.com/flannel-io/flannel
After=network-online.target
Wants=network-online.target
StartLimitIntervalSec=0

[Service]
Type=notify
ExecStart=/usr/local/bin/flanneld \\
  --etcd-endpoints=https://10.0.0.5:2379,https://10.0.0.6:2379 \\
  --etcd-prefix=/coreos.com/network \\
  --etcd-cafile=/etc/flannel/etcd-ca.pem \\
  --etcd-certfile=/etc/flannel/etcd-cert.pem \\
  --etcd-keyfile=/etc/flannel/etcd-key.pem \\
  --iface=10.0.0.7 \\
  --public-ip=10.0.0.7 \\
  --ip-masq \\
  --subnet-file=/run/flannel/subnet.env
Restart=always
RestartSec=2

[Install]
WantedBy=multi-user.target
`;

describe("renderFlanneldArgs", () => {
  it("uses the private address as iface and public-ip when iface is empty", () => {
    expect(renderFlanneldArgs({ ...BASE, tls: undefined, ipMasq: false })).toEqual([
      "--etcd-endpoints=https://10.0.0.5:2379,https://10.0.0.6:2379",
      "--etcd-prefix=/coreos.com/network",
      "--iface=10.0.0.7",
      "--public-ip=10.0.0.7",
      "--subnet-file=/run/flannel/subnet.env",
    ]);
  });

  it("passes an interface name as iface without public-ip (flanneld takes the interface's address)", () => {
    const args = renderFlanneldArgs({ ...BASE, tls: undefined, iface: "ens4" });
    expect(args).toContain("--iface=ens4");
    expect(args.some((arg) => arg.startsWith("--public-ip"))).toBe(false);
    expect(args).toContain("--ip-masq");
  });

  it("uses an address given as iface for both flags", () => {
    const args = renderFlanneldArgs({ ...BASE, iface: " 192.168.5.9 " });
    expect(args).toContain("--iface=192.168.5.9");
    expect(args).toContain("--public-ip=192.168.5.9");
  });

  it("keeps bracketed IPv6 endpoints", () => {
    expect(renderFlanneldArgs({ ...BASE, endpoints: ["http://[fd00::5]:2379"] })[0]).toBe(
      "--etcd-endpoints=http://[fd00::5]:2379",
    );
  });

  it.each([
    ["etcd-prefix", { etcdPrefix: "/a b" }],
    ["etcd-prefix", { etcdPrefix: "/net$HOME" }],
    ["etcd-prefix", { etcdPrefix: "/net%n" }],
    ["iface", { iface: "eth0;reboot" }],
    ["iface", { iface: 'eth0"' }],
    ["endpoints", { endpoints: ["http://a:1\nExecStartPre=/bin/sh"] }],
    ["binary", { binary: "/usr/local/bin/flan neld" }],
  ] as [string, Partial<FlanneldOptions>][])("rejects an unsafe %s", (field, change) => {
    expect(() => renderUnitFile({ ...BASE, ...change })).toThrow(new RegExp(`^${field} .* cannot go on`));
  });

  it("refuses no endpoints", () => {
    expect(() => renderFlanneldArgs({ ...BASE, endpoints: [] })).toThrow(/at least one etcd endpoint/);
  });
});

describe("renderUnitFile", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "unit-file-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("renders the exact unit", () => {
    expect(renderUnitFile(BASE)).toBe(EXPECTED_UNIT);
  });

  it("is byte-identical for the same options", () => {
    expect(renderUnitFile({ ...BASE })).toBe(renderUnitFile(BASE));
  });

  it.each([
    ["with TLS and ip-masq", BASE],
    ["without TLS, iface name", { ...BASE, tls: undefined, iface: "eth0", ipMasq: false }],
  ])("passes systemd-analyze verify (%s)", async (_name, options) => {
    // verify fails on a missing ExecStart binary, so point the unit at a dummy executable.
    const binary = join(dir, "flanneld");
    await writeFile(binary, "#!/bin/sh\n");
    await chmod(binary, 0o755);
    const unitPath = join(dir, "flannel.service");
    await writeFile(unitPath, renderUnitFile({ ...options, binary }));
    const result = await execa("systemd-analyze", ["verify", unitPath], { reject: false, all: true });
    expect(result.all).toBe("");
    expect(result.exitCode).toBe(0);
  });

  it("systemd-analyze verify catches a broken unit (the check can fail)", async () => {
    const unitPath = join(dir, "flannel.service");
    await writeFile(unitPath, renderUnitFile({ ...BASE, binary: join(dir, "missing") }));
    const result = await execa("systemd-analyze", ["verify", unitPath], { reject: false, all: true });
    expect(result.exitCode).not.toBe(0);
  });
});
