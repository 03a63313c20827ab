import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { toolNames } from "./tool-dispatch";

/** Single-quotes a path for POSIX sh. */
function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Writes one sh wrapper per hook tool into binDir. Wrappers, not symlinks: the bundle keeps one
 * name and the tool name travels as the first argument, so the bundle can sit anywhere.
 */
export function installHookTools(binDir: string, toolScript: string, nodePath = process.execPath): string[] {
  mkdirSync(binDir, { recursive: true });
  return toolNames.map((name) => {
    const path = join(binDir, name);
    writeFileSync(path, `#!/bin/sh\nexec ${quote(nodePath)} ${quote(toolScript)} ${name} "$@"\n`);
    chmodSync(path, 0o755);
    return path;
  });
}
