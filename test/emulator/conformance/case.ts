import type { Model } from "../model";

/**
 * One case ported from Juju's jujuc tests: a tool call (or several on one context), the fixture it runs
 * against, and what Juju's test expects. Facts only: argv, data, exit codes and outputs.
 */
export interface ConformanceCase {
  name: string;
  /** Tool name first, as jujuc is called. */
  argv: string[];
  /** Calls made before argv in the same context (their outputs are not checked). */
  before?: string[][];
  /** Changes to the Juju fixture (see fixture.ts) before the call. */
  model?: (model: Model) => void;
  env?: Record<string, string>;
  stdin?: string;
  /** Files written in the caller's directory first. */
  files?: Record<string, string>;
  code: number;
  /** Exact stdout; omitted means "" (Juju's tests check stdout on every path they port here). */
  stdout?: string;
  /** Instead of an exact stdout: a pattern it must match (help texts, where Juju checks fragments). */
  stdoutMatches?: RegExp;
  /** Instead of an exact stdout: the value it must parse to (Juju's YAMLEquals / JSONEquals checks). */
  parsed?: { format: "yaml" | "json"; value: unknown };
  /** A fragment stdout must not contain. */
  stdoutLacks?: string;
  /** Exact stderr, or a pattern where Juju's test matched one. Omitted means "" on success. */
  stderr?: string | RegExp;
  /** A file the call must leave in the caller's directory. */
  file?: { path: string; content: string };
  /** Checks on the model after the call (Juju's tests that inspect the context). */
  after?: (model: Model) => void;
  /** Set when the check is weaker than Juju's: why (e.g. the message comes from Juju's test double). */
  weaker?: string;
}

/** A tool's ported table plus the Juju cases that the emulator's model cannot express, and why. */
export interface ToolTable {
  tool: string;
  cases: ConformanceCase[];
  notExpressible: { name: string; why: string }[];
}
