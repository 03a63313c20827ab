import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { installFakeTools } from "../support/fake-tools";
import { officialNodeBinary } from "../support/node-resource";
import { CHARM_ARCHIVE, CHARM_BUILD_DIR, REPO_ROOT } from "../support/paths";

const STANDARD_HOOKS = [
  "install",
  "config-changed",
  "start",
  "stop",
  "upgrade-charm",
  "update-status",
  "remove",
];
const RELATION_HOOK_KINDS = ["joined", "changed", "departed", "broken"];

const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), "flannel-skeleton-"));
  temps.push(dir);
  return dir;
}

async function readYaml(file: string) {
  return parse(await readFile(join(REPO_ROOT, file), "utf8"));
}

describe("the packed charm", () => {
  it("holds every entry Juju and operators need", async () => {
    const { stdout } = await execa("unzip", ["-Z1", CHARM_ARCHIVE]);
    const entries = stdout.split("\n");
    const required = ["metadata.yaml", "config.yaml", "actions.yaml", "manifest.yaml", "dispatch", "health"];
    const more = [
      "icon.svg",
      "README.md",
      "copyright",
      "files/find-node.sh",
      "files/node-startup.sh",
      "lib/node-startup.cjs",
      "lib/hook.cjs",
      "lib/hook-run.cjs",
      "lib/charm.mjs",
      "lib/health.cjs",
    ];
    const hooks = [...STANDARD_HOOKS, ...RELATION_HOOK_KINDS.map((kind) => `etcd-relation-${kind}`)];
    expect(entries).toEqual(
      expect.arrayContaining([...required, ...more, ...hooks.map((hook) => `hooks/${hook}`)]),
    );
    expect(entries.some((entry) => entry.includes("node_modules"))).toBe(false);
  });

  it("keeps the executable bits of dispatch, health and the hooks", async () => {
    const { stdout } = await execa("unzip", ["-Z", CHARM_ARCHIVE]);
    const modes = stdout.split("\n").filter((line) => / (dispatch|health|hooks\/install)$/.test(line));
    expect(modes).toHaveLength(3);
    for (const line of modes) expect(line).toMatch(/^-rwx/);
  });
});

describe("metadata, config and manifest", () => {
  it("agree with each other and with the hooks on disk", async () => {
    const metadata = await readYaml("metadata.yaml");
    const manifest = parse(await readFile(join(CHARM_BUILD_DIR, "manifest.yaml"), "utf8"));
    expect(metadata.name).toBe("flannel");
    expect(metadata.requires.etcd.interface).toBe("etcd");
    expect(metadata.resources.flannel).toMatchObject({ type: "file", filename: "flanneld" });
    // Bases live in the manifest only: a `series` list makes Juju read the charm as format v1.
    expect(metadata.series).toBeUndefined();
    expect(manifest.bases.map((base: { channel: string }) => base.channel)).toEqual([
      "20.04",
      "22.04",
      "24.04",
    ]);
    expect(metadata.resources.node).toMatchObject({ type: "file" });
    // Every endpoint, required or provided: Juju before 2.8 runs only what hooks/ holds.
    const endpoints = [...Object.keys(metadata.requires), ...Object.keys(metadata.provides ?? {})];
    const relationHooks = endpoints.flatMap((name) =>
      RELATION_HOOK_KINDS.map((kind) => `${name}-relation-${kind}`),
    );
    for (const hook of [...STANDARD_HOOKS, ...relationHooks]) {
      await expect(execa("test", ["-x", join(REPO_ROOT, "hooks", hook)])).resolves.toBeTruthy();
    }
  });

  it("declares every option with its type and default", async () => {
    const { options } = await readYaml("config.yaml");
    const declared = Object.fromEntries(
      Object.entries(options as Record<string, { type: string; default: unknown }>).map(([key, option]) => [
        key,
        [option.type, option.default],
      ]),
    );
    expect(declared).toEqual({
      "container-type": ["string", "lxc"],
      backend: ["string", "udp"],
      network: ["string", "10.10.0.0/16"],
      "subnet-len": ["int", 24],
      "etcd-prefix": ["string", "/coreos.com/network"],
      iface: ["string", ""],
      "ip-masq": ["boolean", true],
      "lease-reclaim-grace": ["int", 900],
    });
    for (const key of ["network", "subnet-len", "backend", "etcd-prefix"]) {
      expect(options[key].description.replace(/\s+/g, " ")).toMatch(/[Ff]ixed once the network is created/);
    }
  });

  it("declares the health and mesh-check actions", async () => {
    expect(Object.keys(await readYaml("actions.yaml"))).toEqual(["health", "mesh-check"]);
  });
});

describe("the unpacked charm on a machine with only Node.js", () => {
  async function unpackedCharm() {
    const dir = await tempDir();
    await execa("unzip", ["-q", CHARM_ARCHIVE, "-d", join(dir, "charm")]);
    return join(dir, "charm");
  }

  it("runs ./health with no node_modules in reach", async () => {
    const charm = await unpackedCharm();
    const result = await execa("./health", [], { cwd: charm, reject: false, env: { NODE_PATH: "" } });
    expect(result.stdout).toMatch(/^not-ready .*reason:[a-z-]+$/);
    expect(result.stdout.split("\n")).toHaveLength(1);
    expect(result.exitCode).toBe(1);
  });

  it("runs ./health with the next Node.js on PATH when the first is too old", async () => {
    const charm = await unpackedCharm();
    // A real Node.js 12, as Ubuntu 22.04 ships it, first on PATH: the bundle's own gate exits 3.
    const env = { PATH: `${dirname(await officialNodeBinary(12))}:${process.env.PATH}`, NODE_PATH: "" };
    const result = await execa("./health", [], { cwd: charm, reject: false, env });
    expect(result.stdout).toMatch(/^not-ready .*reason:[a-z-]+$/);
    expect(result.exitCode).toBe(1);
  }, 300_000);

  // Ubuntu 20.04 ships Node.js 10 and 22.04 ships 12: the bundles' gate must turn them away before any
  // module loads, with exit 3 and no output, so that dispatch and ./health look for another.
  it("turns away real Node.js 10 and 12 before loading anything (exit 3, no output)", async () => {
    for (const major of [10, 12]) {
      const old = await officialNodeBinary(major);
      for (const bundle of ["lib/hook.cjs", "lib/health.cjs"]) {
        const result = await execa(old, [join(CHARM_BUILD_DIR, bundle)], { reject: false });
        expect({ major, bundle, ...pick(result) }).toEqual({
          major,
          bundle,
          exitCode: 3,
          stdout: "",
          stderr: "",
        });
      }
    }
  }, 300_000);

  it("runs a hook through dispatch with the next Node.js on PATH when the first is too old", async () => {
    const charm = await unpackedCharm();
    const old = dirname(await officialNodeBinary(12));
    const tools = await installFakeTools(join(charm, "..", "bin-dispatch"), {
      "action-set": "",
      "juju-log": "",
    });
    const result = await execa(join(charm, "dispatch"), [], {
      cwd: charm,
      reject: false,
      env: {
        JUJU_DISPATCH_PATH: "actions/health",
        PATH: `${old}:${join(charm, "..", "bin-dispatch")}:${process.env.PATH}`,
      },
    });
    expect(result.exitCode).toBe(0);
    expect((await tools.calls()).filter((call) => call[0] === "action-set")).toHaveLength(1);
  }, 300_000);

  it("runs the health action through dispatch, answering with action-set", async () => {
    const charm = await unpackedCharm();
    const tools = await installFakeTools(join(charm, "..", "bin"), { "action-set": "", "juju-log": "" });
    const result = await execa(join(charm, "dispatch"), [], {
      cwd: charm,
      reject: false,
      env: { JUJU_DISPATCH_PATH: "actions/health", PATH: `${join(charm, "..", "bin")}:${process.env.PATH}` },
    });
    expect(result.exitCode).toBe(0);
    const actionSets = (await tools.calls()).filter((call) => call[0] === "action-set");
    expect(actionSets).toHaveLength(1);
    expect(actionSets[0][1]).toMatch(/^result=not-ready .*reason:[a-z-]+$/);
  });
});

describe("the Node.js shim", () => {
  // A private mount namespace hides this machine's node (and gives /opt, where the resource is unpacked,
  // a tmpfs) without touching either.
  async function runWithoutNode(charm: string, path: string, hookPath: string, env = {}) {
    const hide = "mount --bind /dev/null /usr/bin/node && mount -t tmpfs tmpfs /opt";
    const script = `${hide} && exec env PATH=${path} ${hookPath}`;
    return execa("unshare", ["--mount", "--propagation", "private", "/bin/sh", "-c", script], {
      cwd: charm,
      reject: false,
      env,
    });
  }

  // The layout of nodejs.org's node-vX-linux-x64.tar.xz, holding this machine's (official) node build.
  async function officialTarball(dir: string) {
    const root = join(dir, "node-v20-linux-x64");
    await mkdir(join(root, "bin"), { recursive: true });
    await cp(process.execPath, join(root, "bin/node"));
    await execa("tar", ["-C", dir, "-cf", join(dir, "node.tar"), "node-v20-linux-x64"]);
    await rm(root, { recursive: true });
    return join(dir, "node.tar");
  }

  async function shimWorld() {
    const dir = await tempDir();
    await cp(CHARM_BUILD_DIR, join(dir, "charm"), { recursive: true });
    const bin = join(dir, "bin");
    const tools = await installFakeTools(bin, { "status-set": "", "juju-log": "", "apt-get": "" });
    for (const tool of ["sh", "dirname", "basename"]) {
      await execa("ln", ["-s", (await execa("which", [tool])).stdout, join(bin, tool)]);
    }
    return { charm: join(dir, "charm"), bin, tools, dir };
  }

  it("tries apt in the install hook, then blocks and exits 0 when there is still no Node.js", async () => {
    const { charm, bin, tools } = await shimWorld();
    const result = await runWithoutNode(charm, bin, "hooks/install");
    expect(result.exitCode).toBe(0);
    const calls = await tools.calls();
    expect(calls).toContainEqual(["apt-get", "install", "-y", "-q", "nodejs"]);
    const blocked = calls.filter((call) => call[0] === "status-set" && call[1] === "blocked");
    expect(blocked).toHaveLength(1);
    expect(blocked[0][2]).toContain("Node.js >= 18 is required");
  });

  it("never installs packages outside the install hook", async () => {
    const { charm, bin, tools } = await shimWorld();
    const result = await runWithoutNode(charm, bin, "hooks/update-status");
    expect(result.exitCode).toBe(0);
    const calls = await tools.calls();
    expect(calls.map((call) => call[0])).not.toContain("apt-get");
    expect(calls).toContainEqual(expect.arrayContaining(["status-set", "blocked"]));
  });

  it("names the node resource in its blocked message", async () => {
    const { charm, bin, tools } = await shimWorld();
    await runWithoutNode(charm, bin, "hooks/update-status");
    const blocked = (await tools.calls()).find((call) => call[0] === "status-set" && call[1] === "blocked");
    expect(blocked?.[2]).toContain("juju attach-resource flannel node=");
  });

  it("runs the charm with the Node.js of the node resource (an official linux-x64 tarball)", async () => {
    const { charm, bin, tools, dir } = await shimWorld();
    const tarball = await officialTarball(dir);
    await installFakeTools(bin, { "resource-get": `${tarball}\n`, "action-set": "" });
    const result = await runWithoutNode(charm, `${bin}:/usr/bin:/bin`, "./dispatch", {
      JUJU_DISPATCH_PATH: "actions/health",
    });
    expect(result.exitCode).toBe(0);
    const calls = await tools.calls();
    expect(calls.find((call) => call[0] === "action-set")?.[1]).toMatch(/^result=not-ready /);
    expect(calls).not.toContainEqual(expect.arrayContaining(["status-set", "blocked"]));
    const logs = calls.filter((call) => call[0] === "juju-log").map((call) => call.at(-1));
    expect(logs).toContainEqual(
      expect.stringMatching(/^installed Node\.js v\d+\.\d+\.\d+ from the node resource$/),
    );
  });

  it("blocks naming the node resource when it holds no usable Node.js, and installs nothing else", async () => {
    const { charm, bin, tools, dir } = await shimWorld();
    const junk = join(dir, "junk.tar.xz");
    await writeFile(junk, "not a tarball\n");
    await installFakeTools(bin, { "resource-get": `${junk}\n` });
    const result = await runWithoutNode(charm, `${bin}:/usr/bin:/bin`, "hooks/install");
    expect(result.exitCode).toBe(0);
    const calls = await tools.calls();
    expect(calls.map((call) => call[0])).not.toContain("apt-get");
    const blocked = calls.find((call) => call[0] === "status-set" && call[1] === "blocked");
    expect(blocked?.[2]).toMatch(
      /^the node resource is not a Node\.js >= 18 for linux-x64: .*juju attach-resource flannel node=/,
    );
  });

  it("makes ./health say not-ready when there is no Node.js", async () => {
    const { charm, bin } = await shimWorld();
    const result = await runWithoutNode(charm, bin, "./health");
    expect(result.stdout).toBe("not-ready reason:no-nodejs");
    expect(result.exitCode).toBe(1);
  });
});

function pick(result: { exitCode?: number; stdout: unknown; stderr: unknown }) {
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}
