import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { build, type Metafile } from "esbuild";
import { execa, type ResultPromise } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LXC_NET_FILTER_LINES } from "../machine/facts-fixture";

const REPO = resolve(import.meta.dirname, "../..");
const SUBNET_ENV =
  "FLANNEL_NETWORK=10.10.0.0/16\nFLANNEL_SUBNET=10.10.16.1/24\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=true\n";
/** `ip -j addr show` of a ready udp/lxc machine: flanneld's device and the bridge on the lease. */
const LINKS = JSON.stringify([
  {
    ifname: "flannel0",
    flags: ["UP"],
    mtu: 1472,
    addr_info: [{ family: "inet", local: "10.10.16.0", prefixlen: 16 }],
  },
  {
    ifname: "lxcbr0",
    flags: ["UP"],
    mtu: 1472,
    addr_info: [{ family: "inet", local: "10.10.16.1", prefixlen: 24 }],
  },
]);
// The charm's exemption above lxc-net's own masquerade, and lxc-net's own INPUT and FORWARD accepts.
const NAT_RULES = [
  "-A POSTROUTING -s 10.10.16.0/24 -d 10.10.0.0/16 -m comment --comment flannel-charm -j RETURN",
  "-A POSTROUTING -s 10.10.16.0/24 ! -d 10.10.16.0/24 -j MASQUERADE",
].join("\\n");
const FILTER_SAVED = [":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ...LXC_NET_FILTER_LINES].join("\\n");
/** iptables-save's output holding them. */
const IPTABLES_SAVE = `printf '*nat\\n:POSTROUTING ACCEPT [0:0]\\n${NAT_RULES}\\nCOMMIT\\n*filter\\n${FILTER_SAVED}\\nCOMMIT\\n'`;

let dir: string;
let bundle: string;
let metafile: Metafile;
/** A process named dnsmasq, standing for lxc-net's (./health reads its name through lxc-net's pid file). */
let dnsmasq: ResultPromise;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "health-main-test-"));
  bundle = join(dir, "health.mjs");
  const result = await build({
    absWorkingDir: REPO,
    entryPoints: ["src/health/main.ts"],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node18",
    outfile: bundle,
    metafile: true,
    logLevel: "silent",
    banner: {
      js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);',
    },
  });
  metafile = result.metafile;
  await copyFile("/bin/sleep", join(dir, "dnsmasq"));
  dnsmasq = execa(join(dir, "dnsmasq"), ["600"], { reject: false });
});
afterAll(async () => {
  dnsmasq?.kill();
  await rm(dir, { recursive: true, force: true });
});

describe("health main bundle", () => {
  it("contains no etcd client, nor the charm's etcd or Juju modules", () => {
    const inputs = Object.keys(metafile.inputs);
    expect(inputs).toContain("src/health/main.ts");
    expect(inputs.filter((input) => /etcd|grpc|protobuf|src\/juju\//.test(input))).toEqual([]);
  });
});

/**
 * Runs the bundle in a private mount namespace whose /run and /var/lib are fresh tmpfs holding only the
 * given files, with fake systemctl, ip and iptables-save first on PATH: the production paths stay fixed and the host's
 * own /run and /var/lib are never touched.
 */
async function runHealthIn(
  files: { subnetEnv?: string; state?: string },
  fakes: { systemctl: string; ip: string; "iptables-save": string },
  command: string[] = [process.execPath, bundle],
) {
  const fakeBin = await mkdtemp(join(dir, "bin-"));
  for (const [name, script] of Object.entries(fakes)) {
    await writeFile(join(fakeBin, name), `#!/bin/sh\n${script}\n`);
    await chmod(join(fakeBin, name), 0o755);
  }
  const seed = await mkdtemp(join(dir, "seed-"));
  await mkdir(join(seed, "run/flannel"), { recursive: true });
  await mkdir(join(seed, "var-lib/flannel-charm"), { recursive: true });
  if (files.subnetEnv !== undefined) await writeFile(join(seed, "run/flannel/subnet.env"), files.subnetEnv);
  if (files.state !== undefined) await writeFile(join(seed, "var-lib/flannel-charm/state.json"), files.state);
  // lxc-net started, with its dnsmasq running.
  await mkdir(join(seed, "run/lxc"));
  await writeFile(join(seed, "run/lxc/network_up"), "");
  await writeFile(join(seed, "run/lxc/dnsmasq.pid"), `${dnsmasq.pid}\n`);
  const mounts = 'mount --bind "$1/run" /run && mount --bind "$1/var-lib" /var/lib';
  // A network namespace of the test's own holds the udp backend's route (the overlay lives only in test
  // namespaces) and forwarding on; the fake ip on PATH answers the device queries.
  const network = [
    "/usr/sbin/ip tuntap add dev flannel0 mode tun",
    "/usr/sbin/ip addr add 10.10.16.0/16 dev flannel0",
    "/usr/sbin/ip link set flannel0 up",
    "echo 1 >/proc/sys/net/ipv4/ip_forward",
  ].join(" && ");
  const script = `${mounts} && ${network} && shift && exec "$@"`;
  const argv = ["--mount", "--net", "--propagation", "private", "sh", "-c", script, "sh", seed, ...command];
  return execa("unshare", argv, {
    reject: false,
    env: {
      PATH: `${fakeBin}:${dirname(process.execPath)}:${process.env.PATH}`,
      FAKE_LOG: join(dir, "calls.log"),
    },
  });
}

describe("health main CLI", () => {
  it("prints the ready line and exits 0", async () => {
    const result = await runHealthIn(
      { subnetEnv: SUBNET_ENV, state: '{"containerType":"lxc","etcdRelated":true}' },
      {
        systemctl: "echo active",
        ip: `echo '${LINKS}'`,
        "iptables-save": IPTABLES_SAVE,
      },
    );
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("ready lxcbr:10.10.16.1 subnet:10.10.16.1/24 mtu:1472");
    expect(result.exitCode).toBe(0);
  });

  it("prints a not-ready line and exits 1", async () => {
    const result = await runHealthIn(
      { state: '{"containerType":"lxc","etcdRelated":true}' },
      {
        systemctl: "echo inactive; exit 3",
        ip: 'echo "Device \\"lxcbr0\\" does not exist." >&2; exit 1',
        "iptables-save": "exit 1",
      },
    );
    expect(result.stdout).toBe("not-ready reason:flanneld-inactive");
    expect(result.exitCode).toBe(1);
  });

  it("gets ip's and iptables-save's answers from the health script, not by starting them from Node.js", async () => {
    const charm = await mkdtemp(join(dir, "charm-"));
    await mkdir(join(charm, "files"));
    await copyFile(join(REPO, "health"), join(charm, "health"));
    for (const file of ["files/find-node.sh", "files/node-startup.sh"])
      await copyFile(join(REPO, file), join(charm, file));
    await build({
      absWorkingDir: REPO,
      entryPoints: ["src/health/main.ts"],
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node12",
      outfile: join(charm, "lib/health.cjs"),
      logLevel: "silent",
    });
    // Each fake notes which program started it.
    const logged = (answer: string) =>
      `echo "$(basename "$0") from $(cat /proc/$PPID/comm)" >>"$FAKE_LOG"; ${answer}`;
    const result = await runHealthIn(
      { subnetEnv: SUBNET_ENV, state: '{"containerType":"lxc","etcdRelated":true}' },
      {
        systemctl: logged("echo active"),
        ip: logged(`echo '${LINKS}'`),
        "iptables-save": logged(IPTABLES_SAVE),
      },
      ["sh", join(charm, "health")],
    );
    expect(result.stdout).toBe("ready lxcbr:10.10.16.1 subnet:10.10.16.1/24 mtu:1472");
    expect(result.exitCode).toBe(0);
    const calls = (await readFile(join(dir, "calls.log"), "utf8")).trim().split("\n");
    expect(calls.filter((call) => !call.startsWith("systemctl")).sort()).toEqual([
      "ip from sh",
      "iptables-save from sh",
    ]);
  });
});
