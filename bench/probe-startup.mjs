// Runs inside a booted machine (copied in by bench/control.ts): times commands alternately, so that load
// from other processes falls on all of them alike, and prints medians as JSON.
// Usage: node probe-startup.mjs RUNS CWD JSON   where JSON is {"name": ["argv0", "arg", …], …}
import { spawnSync } from "node:child_process";

const [runs, cwd, json] = process.argv.slice(2);
const cases = Object.entries(JSON.parse(json));
const samples = Object.fromEntries(cases.map(([name]) => [name, []]));
for (let i = 0; i < Number(runs); i++) {
  for (const [name, [command, ...args]] of cases) {
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd, stdio: "ignore" });
    samples[name].push(Number(process.hrtime.bigint() - started) / 1e6);
    if (result.status !== 0 && !name.startsWith("?")) throw new Error(`${name} exited ${result.status}`);
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
console.log(JSON.stringify(Object.fromEntries(cases.map(([name]) => [name, median(samples[name])]))));
