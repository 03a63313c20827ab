// `juju status --relations` in Juju 3's tabular layout: Model, App, Unit, Machine and Integration sections,
// each a block of columns two spaces apart (Scale and Rev right-aligned), the last column never padded.

/** A status and its message, as Juju shows them side by side. */
export interface StatusInfo {
  status: string;
  message: string;
}

export interface ModelRow {
  name: string;
  controller: string;
  cloudRegion: string;
  version: string;
  sla: string;
  /** HH:MM:SSZ */
  timestamp: string;
}

export interface AppRow extends StatusInfo {
  name: string;
  version: string;
  scale: number;
  charm: string;
  channel: string;
  rev: number;
  exposed: boolean;
}

export interface UnitRow {
  name: string;
  leader: boolean;
  workload: StatusInfo;
  agent: string;
  machine: string;
  publicAddress: string;
  ports: string[];
}

export interface MachineRow {
  id: string;
  state: string;
  address: string;
  instId: string;
  base: string;
  az: string;
  message: string;
}

export interface RelationRow {
  provider: string;
  requirer: string;
  interface: string;
  type: string;
}

/** What one `juju status` shows, already decided; this module only lays it out. */
export interface FormattedStatus {
  model: ModelRow;
  applications: AppRow[];
  units: UnitRow[];
  machines: MachineRow[];
  relations: RelationRow[];
}

// Juju cuts long messages so a row stays on one line.
const MAX_MESSAGE = 120;

/** Renders the status as Juju 3 prints `juju status --relations`, ending with a newline. */
export function renderTabular(status: FormattedStatus): string {
  const sections = [modelSection(status.model)];
  if (status.applications.length > 0) sections.push(appSection(status.applications));
  if (status.units.length > 0) sections.push(unitSection(status.units));
  if (status.machines.length > 0) sections.push(machineSection(status.machines));
  if (status.relations.length > 0) sections.push(relationSection(status.relations));
  return `${sections.join("\n\n")}\n`;
}

function modelSection(m: ModelRow): string {
  const header = ["Model", "Controller", "Cloud/Region", "Version", "SLA", "Timestamp"];
  return layout([header, [m.name, m.controller, m.cloudRegion, m.version, m.sla, m.timestamp]]);
}

function appSection(apps: AppRow[]): string {
  const header = ["App", "Version", "Status", "Scale", "Charm", "Channel", "Rev", "Exposed", "Message"];
  const rows = byName(apps, (a) => a.name).map((a) => [
    a.name,
    a.version,
    a.status,
    String(a.scale),
    a.charm,
    a.channel,
    String(a.rev),
    a.exposed ? "yes" : "no",
    truncate(a.message),
  ]);
  return layout([header, ...rows], new Set([3, 6]));
}

function unitSection(units: UnitRow[]): string {
  const header = ["Unit", "Workload", "Agent", "Machine", "Public address", "Ports", "Message"];
  const rows = byName(units, (u) => u.name).map((u) => [
    u.leader ? `${u.name}*` : u.name,
    u.workload.status,
    u.agent,
    u.machine,
    u.publicAddress,
    [...u.ports].sort().join(","),
    truncate(u.workload.message),
  ]);
  return layout([header, ...rows]);
}

function machineSection(machines: MachineRow[]): string {
  const header = ["Machine", "State", "Address", "Inst id", "Base", "AZ", "Message"];
  const rows = byName(machines, (m) => m.id).map((m) => [
    m.id,
    m.state,
    m.address,
    m.instId,
    m.base,
    m.az,
    truncate(m.message),
  ]);
  return layout([header, ...rows]);
}

function relationSection(relations: RelationRow[]): string {
  const header = ["Integration provider", "Requirer", "Interface", "Type", "Message"];
  const sorted = [...relations].sort(
    (a, b) => a.provider.localeCompare(b.provider) || a.requirer.localeCompare(b.requirer),
  );
  // A joined integration has no message; only broken or suspended ones show one.
  return layout([header, ...sorted.map((r) => [r.provider, r.requirer, r.interface, r.type, ""])]);
}

/** Pads every cell but the last of each row to its column's width plus two spaces; trims line ends. */
function layout(rows: string[][], alignRight = new Set<number>()): string {
  const widths: number[] = [];
  for (const row of rows)
    row.slice(0, -1).forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  const line = (row: string[]) =>
    row
      .map((cell, i) => {
        if (i === row.length - 1) return cell;
        const width = widths[i] ?? 0;
        return `${alignRight.has(i) ? cell.padStart(width) : cell.padEnd(width)}  `;
      })
      .join("")
      .trimEnd();
  return rows.map(line).join("\n");
}

/** Natural order, as Juju sorts names: flannel/2 before flannel/10. */
function byName<T>(items: T[], name: (item: T) => string): T[] {
  return [...items].sort((a, b) => name(a).localeCompare(name(b), "en", { numeric: true }));
}

function truncate(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 3)}...` : message;
}
