import type { Relation } from "../emulator/model";
import { assertHooksSucceeded, type CharmUnit } from "./charm-unit";

// The emulator keeps one model per unit, so the controller's part of a peer relation is played here:
// a unit that joins is announced to every other unit and they to it (-joined, -changed), a unit's new
// settings reach the others as -changed, the leader's application bag reaches the others as -changed
// with no remote unit, and a unit that leaves is -departed on every other unit.

const PEER = "overlay";

/** The `overlay` peer relation among some units, as the Juju controller would run it. */
export class PeerMesh {
  private readonly members: CharmUnit[] = [];

  /** Joins units to the relation (each already deployed, so the relation exists in its model). */
  async join(...units: CharmUnit[]): Promise<void> {
    for (const unit of units) {
      const others = [...this.members];
      this.members.push(unit);
      await Promise.all(
        others.map(async (other) => {
          await this.operate(other, "remote-joins", unit.name, await this.unitData(unit));
          await this.operate(unit, "remote-joins", other.name, await this.unitData(other));
        }),
      );
    }
    await this.settle();
  }

  /** A unit leaves (removed, or its machine destroyed): -departed on every other unit. */
  async depart(unit: CharmUnit): Promise<void> {
    this.members.splice(this.members.indexOf(unit), 1);
    await Promise.all(this.members.map((other) => this.operate(other, "remote-departs", unit.name)));
    await this.settle();
  }

  /** Delivers -changed until every unit has seen every other unit's latest settings (and the app bag). */
  async settle(maxRounds = 6): Promise<void> {
    for (let round = 0; round < maxRounds; round++) {
      if (!(await this.deliverOnce())) return;
    }
    throw new Error(`peer settings did not settle in ${maxRounds} rounds`);
  }

  /**
   * One round of deliveries: every setting that was stale when the round began (so what a hook of this
   * round publishes waits for the next). Returns whether anything was delivered.
   */
  async deliverOnce(): Promise<boolean> {
    const views = await Promise.all(this.members.map((unit) => this.relationOf(unit)));
    const deliveries = this.members.flatMap((unit, i) =>
      this.members.flatMap((other, j) => this.staleFor(unit, views[i], other, views[j])),
    );
    if (deliveries.length === 0) return false;
    const byUnit = new Map<CharmUnit, (() => Promise<void>)[]>();
    for (const { to, deliver } of deliveries) byUnit.set(to, [...(byUnit.get(to) ?? []), deliver]);
    await Promise.all(
      [...byUnit.values()].map(async (jobs) => {
        for (const job of jobs) await job();
      }),
    );
    return true;
  }

  private staleFor(unit: CharmUnit, mine: Relation, other: CharmUnit, theirs: Relation) {
    if (unit === other) return [];
    const out: { to: CharmUnit; deliver: () => Promise<void> }[] = [];
    if (!same(mine.remoteUnits[other.name], theirs.localUnitData)) {
      out.push({
        to: unit,
        deliver: () => this.operate(unit, "remote-change", other.name, theirs.localUnitData),
      });
    }
    if (other.index === this.leaderIndex() && !same(mine.localAppData, theirs.localAppData)) {
      out.push({ to: unit, deliver: () => this.operate(unit, "remote-change", null, theirs.localAppData) });
    }
    return out;
  }

  private leaderIndex() {
    return Math.min(...this.members.map((unit) => unit.index));
  }

  private async unitData(unit: CharmUnit) {
    return (await this.relationOf(unit)).localUnitData;
  }

  private async relationOf(unit: CharmUnit): Promise<Relation> {
    const relation = (await unit.readModel()).relations.find((r) => r.name === PEER);
    if (!relation) throw new Error(`${unit.name} has no ${PEER} relation (was it deployed?)`);
    return relation;
  }

  private async operate(unit: CharmUnit, op: string, remote: string | null, data?: Record<string, string>) {
    const { id } = await this.relationOf(unit);
    const args = ["--relation-id", String(id), ...(remote ? ["--unit", remote] : [])];
    if (data) args.push("--data", JSON.stringify(data));
    assertHooksSucceeded(await unit.operate(op, ...args), `${op} ${remote ?? "app"} on ${unit.name}`);
  }
}

function same(a: Record<string, string> | undefined, b: Record<string, string>) {
  return JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b).sort());
}
