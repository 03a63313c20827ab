import { readFileSync } from "node:fs";
import { runHost } from "./run";

/** Lazily unmounts everything mounted below `dir`, deepest first, so a recursive delete cannot reach into it. */
export async function detachMountsUnder(dir: string): Promise<void> {
  // A killed debootstrap leaves proc and sysfs mounted in its target; rm -rf must never walk into those.
  const points = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[4] ?? "")
    .filter((point) => point.startsWith(`${dir}/`));
  for (const point of points.reverse()) await runHost(["umount", "-l", point]);
}
