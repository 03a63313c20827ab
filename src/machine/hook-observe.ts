// What a hook observes before it plans: its inputs through the hook tools, the service's files, the
// bridge's files and the machine's data path, all side by side. No execa and no etcd client are loaded.
import { isIPv4 } from "node:net";
import { readLinkAddresses } from "../bridges/ip-addr";
import { asBackend } from "../config/choices";
import type { UnitData } from "../etcd/relation-data";
import { etcdTlsPaths } from "../etcd/tls-files";
import { isEtcdClientRelation } from "../etcd-client/endpoints";
import { readEtcdClientUnits } from "../etcd-client/read-access";
import { FLANNELD_PATH } from "../flannel/binary";
import { IP_FORWARD_BEFORE_PATH, SYSCTL_PATH, UNIT_PATH } from "../flannel/service";
import { readFileIfExists } from "../fs/atomic";
import { readlink, stat } from "../fs/small-files";
import { lightRun } from "../health/light-run";
import type { UnitRecord } from "../hooks/unit-record";
import { jujuContext } from "../juju/context";
import { relationGet, relationList } from "../juju/relation";
import { configGet, openedPorts, resourceGet, unitGet } from "../juju/unit";
import { observeStartupSnapshot } from "../runtime/startup-snapshot";
import { readBridgeFiles } from "./bridge-files";
import { observeMachine } from "./facts";
import type { HookPicture } from "./hook-plan";
import { observeMetrics } from "./metrics-plan";
import type { ServiceFacts } from "./service-plan";

/** Where `systemctl enable` links flannel.service (its unit file says WantedBy=multi-user.target). */
const ENABLED_LINK = "/etc/systemd/system/multi-user.target.wants/flannel.service";

/** Reads every input and fact planHook needs; the record's container type and backend scope the machine. */
export async function observeHook(
  record: UnitRecord,
  etcdRelations: readonly string[] | Promise<readonly string[]>,
): Promise<HookPicture> {
  const scope = { containerType: record.containerType ?? "lxc", backend: asBackend(record.joined?.backend) };
  const [
    config,
    resourceStamp,
    etcdUnits,
    privateAddress,
    ports,
    service,
    installed,
    bridgeFiles,
    machine,
    metrics,
  ] = await Promise.all([
    configGet(),
    resourceStampOf(),
    Promise.resolve(etcdRelations).then(readEtcdUnits),
    unitGet("private-address"),
    openedPorts(),
    observeService(),
    stat(FLANNELD_PATH).then(
      (info) => info.isFile(),
      () => false,
    ),
    readBridgeFiles(scope.containerType),
    observeMachine(scope),
    observeMetrics(),
  ]);
  const iface = typeof config.iface === "string" ? config.iface.trim() : "";
  const ifaceAddress =
    iface === "" || isIPv4(iface)
      ? undefined
      : (await readLinkAddresses(iface, lightRun))?.addresses[0]?.split("/")[0];
  return {
    record,
    config,
    resourceStamp,
    flanneldInstalled: installed,
    etcdUnits,
    privateAddress,
    ifaceAddress,
    service,
    bridgeFiles,
    openedPorts: ports,
    machine,
    metrics,
    metricsUnit: { node: process.execPath, charmDir: jujuContext().charmDir, unit: jujuContext().unitName },
    startupSnapshot: observeStartupSnapshot(),
  };
}

/** The service's files and enablement, as planService compares them. */
export async function observeService(): Promise<ServiceFacts> {
  const paths = etcdTlsPaths();
  const tlsPaths = [paths.ca, paths.cert, paths.key];
  const [unitFile, link, sysctlFile, before, tlsTexts, tlsModes] = await Promise.all([
    readFileIfExists(UNIT_PATH),
    readlink(ENABLED_LINK).catch(() => undefined),
    readFileIfExists(SYSCTL_PATH),
    stat(IP_FORWARD_BEFORE_PATH).catch(() => undefined),
    Promise.all(tlsPaths.map((path) => readFileIfExists(path))),
    Promise.all(tlsPaths.map((path) => stat(path).catch(() => undefined))),
  ]);
  const [ca, cert, key] = tlsTexts;
  return {
    unitFile,
    enabled: link === UNIT_PATH,
    sysctlFile,
    ipForwardBeforeKept: before !== undefined,
    tlsFiles: ca !== undefined && cert !== undefined && key !== undefined ? { ca, cert, key } : undefined,
    tlsFilesPrivate: tlsModes.every((info) => info !== undefined && (info.mode & 0o077) === 0),
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
      // The revisions this unit already uses: a newer one is the full reconcile's to take (secret-changed).
      if (isEtcdClientRelation(id)) {
        const read = await readEtcdClientUnits(id, undefined, "tracked");
        return read.ok ? read.value : [];
      }
      const units = await relationList(id);
      return Promise.all(units.map(async (unit) => ({ unit, data: await relationGet(id, unit) })));
    }),
  );
  return perRelation.flat();
}
