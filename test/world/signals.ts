/** Something that must be torn down however the process ends. */
export interface TearDownable {
  teardown(): Promise<void>;
  /** Best effort for process "exit", where nothing async can run: kill by PID, leave the rest to the next run. */
  killSync(): void;
}

const live = new Set<TearDownable>();
const onSigint = () => void exitAfterTeardown(130);
const onSigterm = () => void exitAfterTeardown(143);
const onExit = () => {
  for (const world of live) world.killSync();
};

/** Tears `world` down on SIGINT/SIGTERM and kills its processes on exit, until untracked. */
export function track(world: TearDownable): void {
  if (live.size === 0) {
    process.on("SIGINT", onSigint);
    process.on("SIGTERM", onSigterm);
    process.on("exit", onExit);
  }
  live.add(world);
}

/** Forgets a torn-down world; with none left, signals get their default behaviour back. */
export function untrack(world: TearDownable): void {
  live.delete(world);
  if (live.size > 0) return;
  process.off("SIGINT", onSigint);
  process.off("SIGTERM", onSigterm);
  process.off("exit", onExit);
}

let exiting = false;

// npm forwards the terminal's SIGINT to its child, which then gets Ctrl-C twice: the first one wins.
async function exitAfterTeardown(code: number): Promise<void> {
  if (exiting) return;
  exiting = true;
  // untrack() drops our handlers as the last world goes; later signals must not kill a teardown midway.
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => undefined);
  const started = Date.now();
  const worlds = [...live];
  const what = `${worlds.length} world${worlds.length === 1 ? "" : "s"}`;
  process.stderr.write(`\n${signalName(code)} received: tearing down ${what} …\n`);
  const results = await Promise.allSettled(worlds.map((world) => world.teardown()));
  const failed = results.filter((r) => r.status === "rejected");
  const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const problems = failed.map((r) => `: ${(r as PromiseRejectedResult).reason}`).join("");
  process.stderr.write(
    failed.length === 0 ? `torn down ${what} in ${took}\n` : `teardown failed after ${took}${problems}\n`,
  );
  process.exit(code);
}

function signalName(code: number): string {
  return code === 130 ? "SIGINT" : "SIGTERM";
}
