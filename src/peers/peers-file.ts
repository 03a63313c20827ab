import { ensureFile, readFileIfExists } from "../fs/atomic";
import type { ProbeTarget } from "./mesh";

/** The peers as the last hook saw them, for `./health --peers` (which runs outside hooks). */
export const PEERS_FILE_PATH = "/var/lib/flannel-charm/peers.json";

export async function writePeersFile(
  targets: readonly ProbeTarget[],
  path = PEERS_FILE_PATH,
): Promise<boolean> {
  return ensureFile(path, `${JSON.stringify(targets, null, 2)}\n`);
}

/** The saved peers; undefined when no hook wrote them yet or the file is not a list of peers. */
export async function readPeersFile(path = PEERS_FILE_PATH): Promise<ProbeTarget[] | undefined> {
  const text = await readFileIfExists(path);
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value) || !value.every((v) => typeof v?.unit === "string")) return undefined;
    return value as ProbeTarget[];
  } catch {
    return undefined;
  }
}
