export declare const MACHINES: { min: number; max: number; default: number };
export declare const CONTAINER_TYPES: readonly string[];
export declare const ETCD_KINDS: readonly string[];
export declare const USAGE: string;
export declare class DemoOptionError extends Error {}

export type DemoCommand =
  | { command: "help" }
  | { command: "status" }
  | {
      command: "run";
      machines: number;
      containers: "lxc" | "docker";
      etcd: "classic" | "charmed";
      keep: boolean;
    };

/** Parses the demo's arguments (without node and script); throws DemoOptionError. */
export declare function parseDemoArgs(argv: readonly string[]): DemoCommand;
/** For scripts/demo: 100 after printing help, 2 after printing an error, else 0. */
export declare function checkFromShell(argv: readonly string[]): number;
