// What `npm run demo -- --keep` prints: commands to copy, with the kept world's real PIDs, names and
// addresses, for entering each machine, ./health, the unit's status, and a ping across the overlay.
import { enterCommand } from "../world/enter";
import type { CharmUnit } from "./charm-unit";
import type { Container } from "./overlay";

export interface SheetUnit {
  machine: string;
  leaderPid: number | undefined;
  unit: string;
  charmDir: string;
}

export interface SheetContainer {
  machine: string;
  name: string;
  kind: "lxc" | "docker" | "none";
  address: string;
}

export interface SheetInput {
  units: SheetUnit[];
  containers: SheetContainer[];
  containerType: "lxc" | "docker";
  /** The demo process that keeps the world up. */
  pid: number;
}

/** Shell lines to type inside `unit`'s machine: health, status, containers, a ping to the next machine. */
export function insideCommands(unit: SheetUnit, input: SheetInput): string[] {
  const lines = [
    `cd ${unit.charmDir} && ./health`,
    `juju-exec ${unit.unit} -- status-get --include-data   # juju exec --unit ${unit.unit} -- status-get`,
    input.containerType === "lxc" ? "lxc-ls -f" : "docker ps",
  ];
  const own = input.containers.find((c) => c.machine === unit.machine);
  const others = input.containers.filter((c) => c.machine !== unit.machine);
  const index = input.units.indexOf(unit);
  // The next machine's container (wrapping around), so each machine's sheet pings a different peer.
  const peer = others.find((c) => input.units.findIndex((u) => u.machine === c.machine) > index) ?? others[0];
  if (own !== undefined && peer !== undefined) {
    const ping = `ping -c 3 ${peer.address}   # ${peer.name} on ${peer.machine}, across the overlay`;
    lines.push(
      own.kind === "docker" ? `docker exec ${own.name} ${ping}` : `lxc-attach -n ${own.name} -- ${ping}`,
    );
  }
  return lines;
}

/** The whole cheat sheet, one string per printed line. */
export function cheatSheet(input: SheetInput): string[] {
  const lines = [
    `demo: --keep: the world stays up while this process (PID ${input.pid}) runs. Commands to copy:`,
    "",
    "  juju status of this model:  npm run demo -- status",
  ];
  for (const unit of input.units) {
    const [first, ...rest] = insideCommands(unit, input);
    lines.push(
      "",
      `  ${unit.machine} (${unit.unit}):`,
      `    enter:   ${enterCommand(unit.leaderPid)}`,
      `    then:    ${first}`,
      ...rest.map((line) => `             ${line}`),
    );
  }
  lines.push("", `  tear it down: Ctrl-C here, or kill ${input.pid}`);
  return lines;
}

/** The cheat sheet's input from deployed units and their containers. */
export function sheetInputOf(
  units: CharmUnit[],
  containers: Container[],
  containerType: SheetInput["containerType"],
  pid: number,
): SheetInput {
  return {
    units: units.map((u) => ({
      machine: u.machine.name,
      leaderPid: u.machine.leaderPid,
      unit: u.name,
      charmDir: u.charmDir,
    })),
    containers: containers.map((c) => ({
      machine: c.machine.name,
      name: c.name,
      kind: c.kind,
      address: c.address,
    })),
    containerType,
    pid,
  };
}
