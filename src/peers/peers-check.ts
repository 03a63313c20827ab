import { probePeers, renderProbeLine } from "./mesh";
import { readPeersFile } from "./peers-file";

/** `./health --peers`: probes every peer the last hook saw; prints one line each; 1 if any is unreachable. */
export async function runPeersCheck(): Promise<0 | 1> {
  const targets = await readPeersFile();
  if (targets === undefined) {
    process.stdout.write("no peers known yet reason:no-peer-data\n");
    return 1;
  }
  const results = await probePeers(targets);
  for (const result of results) process.stdout.write(`${renderProbeLine(result)}\n`);
  if (results.length === 0) process.stdout.write("no peers\n");
  return results.every((result) => result.reachable) ? 0 : 1;
}
