/** Something that must be torn down however the process ends. */
export interface TearDownable {
  teardown(): Promise<void>;
  /** Best effort for process "exit", where nothing async can run: kill by PID, leave the rest to the next run. */
  killSync(): void;
}

const live = new Set<TearDownable>();
let installed = false;

/** Tears `world` down on SIGINT/SIGTERM and kills its processes on exit, until untracked. */
export function track(world: TearDownable): void {
  installHandlers();
  live.add(world);
}

export function untrack(world: TearDownable): void {
  live.delete(world);
}

function installHandlers(): void {
  if (installed) return;
  installed = true;
  process.once("SIGINT", () => void exitAfterTeardown(130));
  process.once("SIGTERM", () => void exitAfterTeardown(143));
  process.on("exit", () => {
    for (const world of live) world.killSync();
  });
}

async function exitAfterTeardown(code: number): Promise<void> {
  process.stderr.write(`\nsignal received: tearing down ${live.size} world(s)\n`);
  await Promise.allSettled([...live].map((world) => world.teardown()));
  process.exit(code);
}
