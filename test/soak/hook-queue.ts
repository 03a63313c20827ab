import type { CharmUnit, OperationResult } from "../support/charm-unit";
import type { HookQueue } from "./context";

/** Everything a finished hook showed: exit code, logs, statuses, output (for the secret check). */
export interface HookSeen {
  unit: string;
  label: string;
  hook: string;
  exitCode: number;
  text: string;
}

/**
 * One promise chain per unit, so hooks on a unit never overlap (as under a Juju agent), while units run in
 * parallel. A call that could not reach the unit at all (its machine rebooting) is a harness note, not a hook.
 */
export class UnitHookQueue implements HookQueue {
  private readonly tails = new Map<string, Promise<unknown>>();
  hooksRun = 0;

  constructor(
    private readonly onHook: (seen: HookSeen) => void,
    private readonly onUnreachable: (unit: string, label: string, error: unknown) => void,
  ) {}

  run(unit: CharmUnit, label: string, operation: () => Promise<OperationResult>) {
    const previous = this.tails.get(unit.name) ?? Promise.resolve();
    const next = previous.then(() => this.execute(unit, label, operation));
    this.tails.set(
      unit.name,
      next.catch(() => undefined),
    );
    return next;
  }

  /** Waits for every queued hook to finish. */
  async drain(): Promise<void> {
    await Promise.all([...this.tails.values()]);
  }

  private async execute(unit: CharmUnit, label: string, operation: () => Promise<OperationResult>) {
    let result: OperationResult;
    try {
      result = await operation();
    } catch (error) {
      this.onUnreachable(unit.name, label, error);
      return undefined;
    }
    for (const hook of result.hooks) {
      this.hooksRun++;
      const text = [
        ...hook.diff.logs.map((l) => `${l.level} ${l.message}`),
        ...hook.diff.statuses.map((s) => `${s.status}: ${s.message}`),
        hook.stdout,
        hook.stderr,
      ].join("\n");
      this.onHook({ unit: unit.name, label, hook: hook.hook, exitCode: hook.exitCode, text });
    }
    if (result.error && result.hooks.every((h) => h.exitCode === 0))
      this.onHook({ unit: unit.name, label, hook: result.error.hook, exitCode: -1, text: "unit in error" });
    return result;
  }
}
