import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { parse } from "yaml";
import type { CharmUnit } from "../support/charm-unit";
import { REPO_ROOT } from "../support/paths";

// The bad-input table of scenario 14: what an operator or a broken etcd charm can hand the unit, and the
// field its status must name. Wrong types are included: Juju itself refuses some before any hook runs.

export interface ConfigCase {
  key: string;
  value: string | number | boolean;
}

export const CONFIG_CASES: ConfigCase[] = [
  { key: "container-type", value: "kvm" },
  { key: "backend", value: "gre" },
  { key: "network", value: "banana" },
  { key: "network", value: "10.10.0.0/33" },
  { key: "network", value: "10.10.0.1/16" },
  { key: "subnet-len", value: 33 },
  { key: "subnet-len", value: 8 },
  { key: "subnet-len", value: "twenty" },
  { key: "etcd-prefix", value: "no/leading/slash" },
  { key: "etcd-prefix", value: "/a b;reboot" },
  { key: "iface", value: "$(reboot)" },
  { key: "iface", value: "eth9" },
  { key: "ip-masq", value: "maybe" },
];

/** Each option's default as config.yaml declares it (what `juju config --reset` goes back to). */
export const CONFIG_DEFAULTS: Record<string, string | number | boolean> = Object.fromEntries(
  Object.entries(
    (
      parse(readFileSync(join(REPO_ROOT, "config.yaml"), "utf8")) as {
        options: Record<string, { default: string | number | boolean }>;
      }
    ).options,
  ).map(([key, option]) => [key, option.default]),
);

const MIB = 1024 * 1024;

/** A certificate-shaped PEM of over 1 MiB (base64 lines of 64), as a broken or hostile etcd charm might send. */
export function hugePem(): string {
  const body =
    randomBytes(MIB)
      .toString("base64")
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${body.join("\n")}\n-----END CERTIFICATE-----\n`;
}

/** connection_string values: random bytes, a large value, unicode, shell and systemd-escape metacharacters. */
export function connectionStrings(): { label: string; value: string }[] {
  const random = Array.from({ length: 256 }, (_, i) => String.fromCharCode(1 + ((i * 97) % 254))).join("");
  return [
    { label: "random bytes", value: random },
    // Sent to the emulator on stdin (as the controller sends relation data), so no argv cap applies.
    { label: "1 MiB", value: `https://${"a".repeat(MIB)}:2379` },
    { label: "unicode", value: "https://ｅｔｃｄ.例え:2379" },
    { label: "shell", value: "https://198.51.100.2:2379;reboot $(halt) `id`" },
    { label: "systemd escapes", value: "https://%h:2379 --etcd-prefix=\\x2d%i" },
    { label: "newline", value: "https://198.51.100.2:2379\nExecStartPre=/bin/false" },
  ];
}

/** Files that must never become the running flanneld, made on the machine; returns name -> guest path. */
export async function badResources(unit: CharmUnit): Promise<Record<string, string>> {
  const dir = "/var/lib/bad-resources";
  const m = unit.machine;
  // Each past the charm's 1 MiB size floor, so the check that refuses it is the one about its defect.
  const script = [
    `mkdir -p ${dir}/t && cd ${dir}`,
    ": >empty",
    // /bin/true with e_machine (offset 18) set to AArch64 (0xB7), grown to 2 MiB
    "cp /bin/true arm64.elf && printf '\\267\\000' | dd of=arm64.elf bs=1 seek=18 conv=notrunc status=none",
    "truncate -s 2M arm64.elf",
    "head -c 3M /dev/urandom >t/flanneld && tar -czf good.tar.gz -C t flanneld",
    "head -c 1500000 good.tar.gz >truncated.tar.gz",
    "mv t/flanneld t/padding && ln -s /etc/shadow t/flanneld && tar -czf symlink.tar.gz -C t padding flanneld",
  ].join(" && ");
  await m.run(["sh", "-c", script]);
  const padding = randomBytes(1536 * 1024).toString("latin1");
  await m.writeFile(`${dir}/dotdot.tar.gz`, gzipSync(tarWith("../../etc/evil", `#!/bin/sh\n${padding}`)));
  return {
    "an empty file": `${dir}/empty`,
    "a wrong-architecture ELF": `${dir}/arm64.elf`,
    "a truncated tar.gz": `${dir}/truncated.tar.gz`,
    "a tarball with a symlink": `${dir}/symlink.tar.gz`,
    "a tarball with a .. path": `${dir}/dotdot.tar.gz`,
  };
}

/** A one-member ustar archive (GNU tar refuses to write `..` names, so it is built by hand). */
function tarWith(name: string, content: string): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write("0000755\0", 100);
  header.write("0000000\0", 108);
  header.write("0000000\0", 116);
  header.write(`${content.length.toString(8).padStart(11, "0")}\0`, 124);
  header.write("00000000000\0", 136);
  header.write("        ", 148);
  header.write("0", 156);
  header.write("ustar\0", 257);
  header.write("00", 263);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  const body = Buffer.alloc(Math.ceil(content.length / 512) * 512);
  body.write(content, "latin1");
  return Buffer.concat([header, body, Buffer.alloc(1024)]);
}

/** What the bad input must leave alone: the bridge's and flanneld's files, rules, addresses and process. */
export async function machineSnapshot(unit: CharmUnit): Promise<string> {
  const files = [
    "/etc/default/lxc-net",
    "/etc/lxc/default.conf",
    "/etc/systemd/system/flannel.service",
    "/etc/flannel/etcd-ca.pem",
    "/etc/flannel/etcd-cert.pem",
    "/etc/flannel/etcd-key.pem",
    "/run/flannel/subnet.env",
  ];
  const script = [
    `for f in ${files.join(" ")}; do echo "== $f"; cat "$f" 2>&1; done`,
    "ls -la /usr/local/bin /etc 2>&1 | grep -v ' \\.$' | awk '{print $1, $5, $9}'",
    "ip -o addr show dev lxcbr0; ip -o link show dev flannel0 | cut -d' ' -f1-5",
    "iptables -t nat -S POSTROUTING; iptables -S FORWARD",
    "systemctl show -p MainPID --value flannel",
  ].join("; ");
  return unit.machine.run(["sh", "-c", script]);
}
