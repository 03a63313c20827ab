import { join } from "node:path";
import { ensureFile, readFileIfExists, removeFile } from "../../fs/atomic";
import type { LinkAddresses } from "../ip-addr";

const FILE = "docker0.address";

/** Remembers docker0's address from before the charm first touched docker (nothing if it had none). */
export async function recordOriginalBridge(root: string, docker0: LinkAddresses | undefined): Promise<void> {
  const address = docker0?.addresses[0];
  if (address !== undefined) await ensureFile(join(root, FILE), `${address}\n`);
}

/** docker0's address from before the charm, e.g. 172.17.0.1/16, if it had one. */
export async function readOriginalBridge(root: string): Promise<string | undefined> {
  return (await readFileIfExists(join(root, FILE)))?.trim() || undefined;
}

export async function forgetOriginalBridge(root: string): Promise<void> {
  await removeFile(join(root, FILE));
}
