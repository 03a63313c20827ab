// Builds the emulator's hook-tool client (test/emulator/jujuc, Go, no modules beyond the standard
// library) into one static binary. Skips the build when the binary was made from the same source and Go.
// Usage: node scripts/build-jujuc.mjs [OUTFILE]   (default build/harness/jujuc)
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "test/emulator/jujuc");

function findGo() {
  for (const dir of (process.env.PATH ?? "").split(":").concat("/usr/local/go/bin")) {
    if (dir && existsSync(join(dir, "go"))) return join(dir, "go");
  }
  throw new Error("build-jujuc: Go is missing (scripts/setup installs it at /usr/local/go)");
}

function sourceHash(go) {
  const hash = createHash("sha256");
  for (const name of readdirSync(source).sort()) hash.update(name).update(readFileSync(join(source, name)));
  return hash.update(execFileSync(go, ["version"])).digest("hex");
}

/** Builds outfile unless its recorded hash matches; returns outfile. */
export function buildJujuc(target = join(root, "build/harness/jujuc")) {
  // Go builds in the source directory: a relative -o would land there, not where the caller meant.
  const outfile = resolve(target);
  const go = findGo();
  const hash = sourceHash(go);
  const stamp = `${outfile}.sha256`;
  if (existsSync(outfile) && existsSync(stamp) && readFileSync(stamp, "utf8") === hash) return outfile;
  mkdirSync(dirname(outfile), { recursive: true });
  const env = { ...process.env, CGO_ENABLED: "0", GOFLAGS: "-trimpath", GOTOOLCHAIN: "local" };
  execFileSync(go, ["build", "-ldflags=-s -w", "-o", `${outfile}.new`, "."], {
    cwd: source,
    env,
    stdio: "inherit",
  });
  renameSync(`${outfile}.new`, outfile);
  writeFileSync(stamp, hash);
  return outfile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(buildJujuc(process.argv[2]));
}
