import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

// Files that boot a world of their own (test/world: machines named fcw-<id>-…, each world in namespaces of its
// own, nothing shared but read-only caches and build/faults.json, which is written under a lock). Two such files
// run at a time: most of their time is spent waiting on machines, not on the two CPUs.
const WORLD_FILES = [
  "test/e2e/**/*.test.ts",
  "test/faults/*-world.test.ts",
  "test/hooks/{defects-*,hostile-inputs,unit-lifecycle}.test.ts",
  "test/machine/steps-on-machine.test.ts",
  "test/bridges/bridges-on-machine.test.ts",
  "test/world/world.test.ts",
  "test/soak/soak.test.ts",
];

// The longest world files, longest first: started early, the two workers finish together. (Vitest orders by
// the last run's durations, which a fresh clone does not have, and then by file size.)
const LONGEST_FIRST = [
  "test/soak/soak.test.ts",
  "test/machine/steps-on-machine.test.ts",
  "test/faults/scale-world.test.ts",
  "test/faults/lxc-world.test.ts",
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const at = LONGEST_FIRST.findIndex((path) => file.moduleId.endsWith(path));
      return at === -1 ? LONGEST_FIRST.length : at;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

// The projects do not extend the root: its global setup (pack, emulator bundle, jujuc) then runs once, not per project.
const TIMEOUTS = { testTimeout: 120_000, hookTimeout: 300_000 };

// Everything else runs first (group 1: vitest runs a group 0 of one worker last) and one file at a time: some
// start etcd or namespaces on fixed names.
export default defineConfig({
  test: {
    globalSetup: ["test/support/global-setup.ts"],
    reporters: ["default"],
    // Vitest takes the sequencer from the root config only (a project's own is not used).
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        test: {
          ...TIMEOUTS,
          name: "local",
          include: ["test/**/*.test.ts"],
          exclude: WORLD_FILES,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          ...TIMEOUTS,
          name: "worlds",
          include: WORLD_FILES,
          maxWorkers: 2,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
