const MTU_LINE = /^\s*lxc\.net\.0\.mtu\s*=/;
const NET0_LINE = /^\s*lxc\.net\.0\./;

/** What Debian's lxc package puts in /etc/lxc/default.conf, used when the file is absent. */
const DEBIAN_NET0 = ["lxc.net.0.type = veth", "lxc.net.0.link = lxcbr0", "lxc.net.0.flags = up"];

/** Renders /etc/lxc/default.conf with `lxc.net.0.mtu` for new containers, keeping every other line. */
export function renderLxcDefaultConf(existingText: string | undefined, mtu: number): string {
  const lines = existingText === undefined ? [...DEBIAN_NET0] : withoutTrailingBlank(existingText);
  const kept = lines.filter((line) => !MTU_LINE.test(line));
  kept.splice(afterLastNet0(kept), 0, `lxc.net.0.mtu = ${mtu}`);
  return `${kept.join("\n")}\n`;
}

function afterLastNet0(lines: string[]): number {
  for (let i = lines.length - 1; i >= 0; i--) if (NET0_LINE.test(lines[i])) return i + 1;
  return lines.length;
}

function withoutTrailingBlank(text: string): string[] {
  const lines = text.split("\n");
  while (lines.length > 0 && lines[lines.length - 1].trim() === "") lines.pop();
  return lines;
}
