// Many booted machines exhaust two per-user kernel limits of the host (see facts.md): each machine's
// systemd, journald, dbus and dnsmasq take inotify instances, and Docker's runc takes keys.
import { readFile, writeFile } from "node:fs/promises";

const LIMITS = {
  "/proc/sys/fs/inotify/max_user_instances": 8192,
  "/proc/sys/kernel/keys/maxkeys": 20000,
};

/** Raises the limits that are lower than needed and returns how to put them back. */
export async function raiseHostLimits(): Promise<() => Promise<void>> {
  const raised: [string, string, string][] = [];
  for (const [path, wanted] of Object.entries(LIMITS)) {
    const original = (await readFile(path, "utf8")).trim();
    if (Number(original) >= wanted) continue;
    await writeFile(path, `${wanted}\n`);
    raised.push([path, original, String(wanted)]);
  }
  return async () => {
    for (const [path, original, mine] of raised) {
      // Another run may have raised it further meanwhile: only undo our own value.
      if ((await readFile(path, "utf8")).trim() === mine) await writeFile(path, `${original}\n`);
    }
  };
}
