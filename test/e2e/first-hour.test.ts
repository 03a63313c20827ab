import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findKeptWorlds, keptGuests, recordKeptWorld } from "../../scripts/demo-kept";
import type { CharmUnit } from "../support/charm-unit";
import { cheatSheet, insideCommands, type SheetInput, sheetInputOf } from "../support/cheat-sheet";
import { jujuStatus } from "../support/juju-status";
import {
  type Container,
  deployCluster,
  E2E_TIMEOUT_MS,
  startLxcContainer,
  waitReady,
} from "../support/overlay";
import { REPO_ROOT } from "../support/paths";
import { PeerMesh } from "../support/peer-mesh";
import { describeWorld, etcdCheck } from "../world/describe";
import { enterCommand } from "../world/enter";
import { World } from "../world/world";

const NOW = new Date("2026-11-29T14:05:31Z");

// What a newcomer sees of a kept demo: `juju status`, the cheat sheet's commands, the machines' tools.
// One world of 2 machines with the charm ready and one LXC container each.
describe("a kept world as a newcomer pokes at it", { timeout: E2E_TIMEOUT_MS }, () => {
  let world: World;
  let units: CharmUnit[];
  let containers: Container[];
  let sheet: SheetInput;

  beforeAll(async () => {
    world = await World.boot({ machines: 2, docker: false, etcd: { tls: false } });
    units = await deployCluster(world, { containerType: "lxc", etcd: "legacy" });
    await waitReady(units);
    // The controller's part: the units see each other on their peer relation, as under Juju.
    await new PeerMesh().join(...units);
    containers = [];
    for (const unit of units)
      containers.push(await startLxcContainer(unit.machine, `${unit.machine.name}-c1`));
    sheet = sheetInputOf(units, containers, "lxc", process.pid);
  }, E2E_TIMEOUT_MS);
  afterAll(async () => {
    await world?.teardown();
  });

  it("shows juju status in Juju 3's layout: model, apps, units with their machines, machines, the etcd integration", async () => {
    const status = await jujuStatus(world.machines, NOW);
    const [m1, m2] = world.machines.map((m) => m.address);
    const lines = status.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^Model +Controller +Cloud\/Region +Version +SLA +Timestamp$/);
    expect(lines[1]).toMatch(/^test +emulator +nspawn\/local +3\.6\.0 +unsupported +14:05:31Z$/);
    expect(status).toMatch(/\nApp +Version +Status +Scale +Charm +Channel +Rev +Exposed +Message\n/);
    expect(status).toMatch(/\nflannel +\S+ +active +2 +flannel +0 +no +\S/);
    expect(status).toMatch(/\netcd +3\.4\.\d+ +active +1 +etcd +0 +no +Healthy\n/);
    expect(status).toMatch(/\nUnit +Workload +Agent +Machine +Public address +Ports +Message\n/);
    expect(status).toMatch(/\netcd\/0\* +active +idle +0 +198\.51\.100\.2 +2379\/tcp +Healthy\n/);
    expect(status).toMatch(new RegExp(`\\nflannel/0\\* +active +idle +1 +${m1} +8285/udp +\\S`));
    expect(status).toMatch(new RegExp(`\\nflannel/1 +active +idle +2 +${m2} +8285/udp +\\S`));
    expect(status).toMatch(
      /\nMachine +State +Address +Inst id +Base +AZ +Message\n0 +started +198\.51\.100\.2 +etcd +debian@12 +Running\n/,
    );
    expect(status).toMatch(
      new RegExp(
        `\\n1 +started +${m1} +m1 +debian@12 +Running\\n2 +started +${m2} +m2 +debian@12 +Running\\n`,
      ),
    );
    expect(status).toMatch(
      /\nflannel +\S+ +active +2 +flannel +0 +no +2\/2 units on 10\.10\.0\.0\/16 \(udp\)\n/,
    );
    expect(status).toMatch(
      /\n\nIntegration provider +Requirer +Interface +Type +Message\netcd:db +flannel:etcd +etcd +regular *\nflannel:overlay +flannel:overlay +flannel-mesh +peer *\n$/,
    );
    // The unit rows carry the message each unit's hooks set last.
    for (const unit of units) expect(status).toContain((await unit.status()).message);
    console.log(status);
  });

  it("`npm run demo -- status` finds the kept world from another process and shows the same table", async () => {
    await recordKeptWorld(world);
    const kept = await findKeptWorlds();
    const ours = kept.find((k) => k.worldId === world.id);
    expect(ours?.pid).toBe(process.pid);
    expect(await jujuStatus(keptGuests(ours as NonNullable<typeof ours>), NOW)).toBe(
      await jujuStatus(world.machines, NOW),
    );
    const cli = await execa("bash", ["scripts/demo", "status"], { cwd: REPO_ROOT, reject: false });
    expect(cli.stderr).toBe("");
    expect(cli.exitCode).toBe(0);
    const withoutTime = (text: string) => text.replace(/\d\d:\d\d:\d\dZ/, "TIME");
    expect(withoutTime(cli.stdout)).toContain(withoutTime(await jujuStatus(world.machines, NOW)).trimEnd());
  });

  it("runs status-get inside a machine with no variables set, through juju-exec as Juju does", async () => {
    const result = await world.machines[0]?.exec(
      ["juju-exec", "flannel/0", "--", "status-get", "--include-data", "--format=json"],
      { direct: true },
    );
    expect(result?.stderr).toBe("");
    expect(JSON.parse(result?.stdout ?? "")).toMatchObject({ status: "active" });
  });

  it("prints a cheat sheet whose commands work: health, status, containers, a ping to the other machine's container", async () => {
    const lines = cheatSheet(sheet);
    const [c1, c2] = containers;
    expect(lines).toContain(`    enter:   ${enterCommand(world.machines[0]?.leaderPid)}`);
    expect(lines).toContain(
      `             lxc-attach -n m1-c1 -- ping -c 3 ${c2?.address}   # m2-c1 on m2, across the overlay`,
    );
    expect(lines).toContain(
      `             lxc-attach -n m2-c1 -- ping -c 3 ${c1?.address}   # m1-c1 on m1, across the overlay`,
    );
    expect(lines.at(-1)).toBe(`  tear it down: Ctrl-C here, or kill ${process.pid}`);
    for (const [index, unit] of sheet.units.entries()) {
      const machine = world.machines[index];
      const outputs: string[] = [];
      for (const line of insideCommands(unit, sheet)) {
        const result = await machine?.exec(["bash", "-c", line]);
        expect(result?.exitCode, `${line}\n${result?.stdout}${result?.stderr}`).toBe(0);
        outputs.push(result?.stdout ?? "");
      }
      const [health, statusGet, lxcLs, ping] = outputs;
      expect(health).toMatch(/^ready lxcbr:/);
      expect(statusGet).toMatch(/status: active/);
      expect(lxcLs).toMatch(new RegExp(`${unit.machine}-c1 +RUNNING`));
      expect(ping).toMatch(/3 packets transmitted, 3 (packets )?received/);
    }
  });

  it("enters a machine with a clean environment: its own hostname and PATH, nothing of the host's", async () => {
    const pid = world.machines[0]?.leaderPid;
    const line = `${enterCommand(pid)} -c 'hostname; echo "PATH=$PATH"; env'`;
    const result = await execa("sh", ["-c", line], {
      reject: false,
      env: { TERM: "xterm", HOST_ONLY_MARKER: "leak", PATH: `/opt/host-only:${process.env.PATH}` },
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split("\n")[0]).toBe("m1");
    expect(result.stdout).not.toContain("HOST_ONLY_MARKER");
    expect(result.stdout).not.toContain("/opt/host-only");
  });

  it("`world boot` prints an etcd check that works inside a machine, which also has ping and curl", async () => {
    const printed = describeWorld(world).join("\n");
    expect(printed).toContain(`  ${etcdCheck(world).join(" ")}`);
    const m1 = world.machines[0];
    const check = await m1?.exec(etcdCheck(world));
    expect(check?.exitCode).toBe(0);
    expect(`${check?.stdout}${check?.stderr}`).toContain("is healthy");
    expect((await m1?.exec(["ping", "-c", "1", "-W", "5", "198.51.100.2"]))?.exitCode).toBe(0);
    const curl = await m1?.exec(["curl", "-sS", "--max-time", "5", "http://198.51.100.2:2379/health"]);
    expect(curl?.stdout).toContain('"health":"true"');
  });
});
