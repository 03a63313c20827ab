import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { build, type Metafile } from "esbuild";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO = resolve(import.meta.dirname, "../..");
const SUBNET_ENV =
  "FLANNEL_NETWORK=10.10.0.0/16\nFLANNEL_SUBNET=10.10.16.1/24\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=true\n";
const LXCBR0 = JSON.stringify([
  { ifname: "lxcbr0", mtu: 1472, addr_info: [{ family: "inet", local: "10.10.16.1", prefixlen: 24 }] },
]);

const NAT_RULES =
  "-A POSTROUTING -s 10.10.16.0/24 -d 10.10.0.0/16 -m comment --comment flannel-charm -j RETURN";

let dir: string;
let bundle: string;
let metafile: Metafile;

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
});
afterAll(async () => {
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
 * given files, with fake systemctl, ip and iptables first on PATH: the production paths stay fixed and the host's
 * own /run and /var/lib are never touched.
 */
async function runHealthIn(
  files: { subnetEnv?: string; state?: string },
  fakes: { systemctl: string; ip: string; iptables: string },
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
  const script = 'mount --bind "$1/run" /run && mount --bind "$1/var-lib" /var/lib && shift && exec "$@"';
  const argv = ["--mount", "--propagation", "private", "sh", "-c", script, "sh", seed, ...command];
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
        ip: `echo '${LXCBR0}'`,
        iptables: `case "$*" in *FORWARD*) echo '-P FORWARD ACCEPT';; *) printf '%s\\n' '${NAT_RULES}';; esac`,
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
        iptables: "exit 1",
      },
    );
    expect(result.stdout).toBe("not-ready reason:flanneld-inactive");
    expect(result.exitCode).toBe(1);
  });

  it("gets ip's and iptables' answers from the health script, not by starting them from Node.js", async () => {
    const charm = await mkdtemp(join(dir, "charm-"));
    await mkdir(join(charm, "files"));
    await copyFile(join(REPO, "health"), join(charm, "health"));
    await copyFile(join(REPO, "files/find-node.sh"), join(charm, "files/find-node.sh"));
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
        ip: logged(`case "$*" in *lxcbr0*) echo '${LXCBR0}';; *) exit 1;; esac`),
        iptables: logged(
          `case "$*" in *FORWARD*) echo '-P FORWARD ACCEPT';; *) printf '%s\\n' '${NAT_RULES}';; esac`,
        ),
      },
      ["sh", join(charm, "health")],
    );
    expect(result.stdout).toBe("ready lxcbr:10.10.16.1 subnet:10.10.16.1/24 mtu:1472");
    expect(result.exitCode).toBe(0);
    const calls = (await readFile(join(dir, "calls.log"), "utf8")).trim().split("\n");
    expect(calls.filter((call) => !call.startsWith("systemctl")).sort()).toEqual([
      "ip from sh",
      "ip from sh",
      "iptables from sh",
      "iptables from sh",
    ]);
  });
});
