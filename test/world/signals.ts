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

async function exitAfterTeardown(code: number): Promise<void> {
  process.stderr.write(`\nsignal received: tearing down ${live.size} world(s)\n`);
  await Promise.allSettled([...live].map((world) => world.teardown()));
  process.exit(code);
}
