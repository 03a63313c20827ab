// Startup cost of the charm's entrypoints, as ratios to a bare `node -e 0` measured in the same run.
// Usage: node bench/startup.mjs [runs]   (after `npm run pack`)
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const runs = Number(process.argv[2] ?? 30);
const charm = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "../build/flannel");
const scratch = mkdtempSync(join(tmpdir(), "flannel-bench-"));

// Each case runs from the unpacked charm with no node_modules in reach, as on a unit.
const cases = {
  "node -e 0": [process.execPath, ["-e", "0"]],
  "./health bundle": [process.execPath, [join(charm, "lib/health.mjs")]],
  "hook bundle, parse only": [process.execPath, ["--check", join(charm, "lib/charm.mjs")]],
};

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time([command, args]) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    spawnSync(command, args, { cwd: scratch, env: { PATH: process.env.PATH }, stdio: "ignore" });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

const results = Object.fromEntries(Object.entries(cases).map(([name, spec]) => [name, time(spec)]));
const base = results["node -e 0"];
console.log(`median of ${runs} runs each; ratio to 'node -e 0' (${base.toFixed(1)} ms here)`);
for (const [name, ms] of Object.entries(results)) {
  console.log(`${name.padEnd(36)} ${(ms / base).toFixed(2)}x  (${ms.toFixed(1)} ms)`);
}
rmSync(scratch, { recursive: true, force: true });
