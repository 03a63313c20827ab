import { mkdirSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { toolNames } from "./tool-dispatch";

function linkTo(target: string, path: string): void {
  try {
    if (readlinkSync(path) === target) return;
  } catch {
    // absent, or a file from an older layout: replaced below
  }
  rmSync(path, { force: true });
  symlinkSync(target, path);
}

/**
 * Installs the jujuc client under every hook tool's name in binDir, as Juju links its jujuc: the client
 * takes the tool's name from argv[0] and asks the agent to run it.
 */
export function installHookTools(binDir: string, client: string): string[] {
  mkdirSync(binDir, { recursive: true });
  return toolNames.map((name) => {
    const path = join(binDir, name);
    linkTo(client, path);
    return path;
  });
}
