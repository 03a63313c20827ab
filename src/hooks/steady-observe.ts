// The effects half of the fast path: reads what checkSteady compares, all at once. Hook tools, files and
// the few programs (ip, iptables) run side by side; flanneld's and lxc-net's state come from their
// cgroups as ./health reads them, so no systemctl runs, and no execa or etcd client is loaded.
import { readlink, stat } from "node:fs/promises";
import { isIPv4 } from "node:net";
import { readLinkAddresses } from "../bridges/ip-addr";
import { IPTABLES_WAIT } from "../bridges/lxc/masquerade";
import type { Run } from "../bridges/programs";
import type { ContainerType } from "../config/choices";
import type { UnitData } from "../etcd/relation-data";
import { etcdTlsPaths } from "../etcd/tls-files";
import { FLANNELD_PATH } from "../flannel/binary";
import { IP_FORWARD_BEFORE_PATH, IP_FORWARD_PROC_PATH, UNIT_PATH } from "../flannel/service";
import { isWrittenSince, readLease, SUBNET_ENV_PATH } from "../flannel/subnet-env";
import { readFileIfExists } from "../fs/atomic";
import { BRIDGES } from "../health/health";
import { lightRun } from "../health/light-run";
import { probeUnit } from "../health/unit-running";
import { relationGet, relationList } from "../juju/relation";
import { configGet, resourceGet, unitGet } from "../juju/unit";
import { STEADY_FILES, type SteadyFile, type SteadyInputs } from "./steady-check";
import type { UnitRecord } from "./unit-record";

/** Where `systemctl enable` links flannel.service (its unit file says WantedBy=multi-user.target). */
const ENABLED_LINK = "/etc/systemd/system/multi-user.target.wants/flannel.service";

/** Reads every input of checkSteady; the container type decides which bridge files and device to look at. */
export async function observeSteady(
  record: UnitRecord,
  etcdRelations: readonly string[],
): Promise<SteadyInputs> {
  const type = record.containerType ?? "lxc";
  const bridgeName = BRIDGES[type]?.name;
  const [config, resourceStamp, etcdUnits, privateAddress, files, tls, machine, rules] = await Promise.all([
    configGet(),
    resourceStampOf(),
    readEtcdUnits(etcdRelations),
    unitGet("private-address"),
    readSteadyFiles(type),
    readTls(),
    observeMachine(type),
    observeRules(type, bridgeName),
  ]);
  const tlsFilesLoaded = await loadedSince(machine.flanneldStartedUs, etcdTlsPaths());
  const iface = typeof config.iface === "string" ? config.iface.trim() : "";
  const ifaceAddress =
    iface === "" || isIPv4(iface)
      ? undefined
      : (await readLinkAddresses(iface, lightRun))?.addresses[0]?.split("/")[0];
  return {
    record,
    config,
    resourceStamp,
    etcdUnits,
    privateAddress,
    ifaceAddress,
    files,
    ...tls,
    tlsFilesLoaded,
    ...machine,
    ...rules,
  };
}

async function resourceStampOf(): Promise<string | undefined> {
  const path = await resourceGet("flannel");
  const info = path === undefined ? undefined : await stat(path).catch(() => undefined);
  return info === undefined ? undefined : `${info.size}:${info.mtimeMs}`;
}

async function readEtcdUnits(ids: readonly string[]): Promise<UnitData[]> {
  const perRelation = await Promise.all(
    ids.map(async (id) => {
      const units = await relationList(id);
      return Promise.all(units.map(async (unit) => ({ unit, data: await relationGet(id, unit) })));
    }),
  );
  return perRelation.flat();
}

async function readSteadyFiles(type: ContainerType): Promise<Partial<Record<SteadyFile, string>>> {
  const wanted: SteadyFile[] = ["unit", "sysctl"];
  if (type === "lxc") wanted.push("lxcNet", "lxcDefaultConf", "lxcDropIn");
  if (type === "docker") wanted.push("daemonJson", "dockerDropIn");
  const texts = await Promise.all(wanted.map((role) => readFileIfExists(STEADY_FILES[role])));
  return Object.fromEntries(wanted.map((role, i) => [role, texts[i]]));
}

async function readTls(): Promise<Pick<SteadyInputs, "tlsFiles" | "tlsFilesPrivate">> {
  const paths = etcdTlsPaths();
  const [ca, cert, key] = await Promise.all(
    [paths.ca, paths.cert, paths.key].map((p) => readFileIfExists(p)),
  );
  const modes = await Promise.all(
    [paths.ca, paths.cert, paths.key].map((p) => stat(p).catch(() => undefined)),
  );
  const tlsFilesPrivate = modes.every((info) => info !== undefined && (info.mode & 0o077) === 0);
  const tlsFiles =
    ca !== undefined && cert !== undefined && key !== undefined ? { ca, cert, key } : undefined;
  return { tlsFiles, tlsFilesPrivate };
}

// Files older than flanneld's process are what it read at its start.
async function loadedSince(startedUs: number | undefined, paths: { ca: string; cert: string; key: string }) {
  if (startedUs === undefined) return false;
  const newer = await Promise.all([paths.ca, paths.cert, paths.key].map((p) => isWrittenSince(p, startedUs)));
  return !newer.some(Boolean);
}

type MachineFacts = { flanneldStartedUs: number | undefined } & Pick<
  SteadyInputs,
  | "flanneldInstalled"
  | "flanneldRunning"
  | "flanneldEnabled"
  | "heldLease"
  | "ipForwardBeforeKept"
  | "ipForward"
  | "lxcNetRunning"
>;

async function observeMachine(type: ContainerType): Promise<MachineFacts> {
  const [binary, flanneld, link, before, ipForward, lxcNet] = await Promise.all([
    stat(FLANNELD_PATH).catch(() => undefined),
    probeUnit("flannel", lightRun),
    readlink(ENABLED_LINK).catch(() => undefined),
    stat(IP_FORWARD_BEFORE_PATH).catch(() => undefined),
    readFileIfExists(IP_FORWARD_PROC_PATH),
    type === "lxc" ? probeUnit("lxc-net", lightRun) : undefined,
  ]);
  const started = flanneld.running ? await flanneld.startedUs() : undefined;
  // Only a subnet.env written since the running flanneld started is a lease it holds.
  const held = started !== undefined && (await isWrittenSince(SUBNET_ENV_PATH, started));
  return {
    flanneldStartedUs: started,
    flanneldInstalled: binary?.isFile() ?? false,
    flanneldRunning: flanneld.running,
    flanneldEnabled: link === UNIT_PATH,
    heldLease: held ? await readLease(SUBNET_ENV_PATH) : undefined,
    ipForwardBeforeKept: before !== undefined,
    ipForward: ipForward ?? "",
    lxcNetRunning: lxcNet?.running ?? false,
  };
}

type RuleFacts = Pick<SteadyInputs, "bridge" | "natRules" | "forwardRules">;

async function observeRules(type: ContainerType, bridgeName: string | undefined): Promise<RuleFacts> {
  const [bridge, natRules, forwardRules] = await Promise.all([
    bridgeName === undefined ? undefined : readLinkAddresses(bridgeName, lightRun),
    type === "none" ? undefined : listRules(lightRun, ["-t", "nat", "-S", "POSTROUTING"]),
    listRules(lightRun, ["-S", "FORWARD"]),
  ]);
  return { bridge, natRules, forwardRules };
}

// With the reconcile's lock wait, so that a busy xtables lock reads as "could not list", not as a drift.
async function listRules(run: Run, args: readonly string[]): Promise<string | undefined> {
  const { exitCode, stdout } = await run("iptables", [...IPTABLES_WAIT, ...args]);
  return exitCode === 0 ? stdout : undefined;
}
