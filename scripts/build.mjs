// Bundles the charm's entrypoints into self-contained files that run on Node >= 18 with no node_modules.
import { execFileSync } from "node:child_process";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

/** Entry points of the charm (into build/flannel/lib) and of the test harnesses (into build/harness). */
const ENTRIES = [
  { in: "src/hooks/main.ts", out: "flannel/lib/charm" },
  // What dispatch runs: a version gate in old syntax that any Node.js parses (src/runtime/node-gate.ts),
  // then the hooks' fast path alone, as CommonJS, which starts faster than an ES module graph (see
  // src/hooks/fast-run.ts). What that imports lazily (execa, the etcd client) it takes from the chunks of
  // lib/charm.mjs instead of carrying copies.
  {
    in: "src/hooks/fast-main.ts",
    out: "flannel/lib/hook",
    format: "cjs",
    target: "node10",
    external: ["./hook-run.cjs"],
  },
  {
    in: "src/hooks/fast-run.ts",
    out: "flannel/lib/hook-run",
    format: "cjs",
    lazyChunksOf: "flannel/lib/charm",
  },
  // ./health runs on every `juju exec`: CommonJS starts faster than an ES module, and old syntax lets its
  // Node.js version check run on any Node.js (see src/health/main.ts).
  { in: "src/health/main.ts", out: "flannel/lib/health", format: "cjs", target: "node12" },
  // What flannel-metrics.timer runs every 30 s: light like ./health (no execa, no etcd client), since its
  // CPU time is paid on every machine around the clock.
  { in: "src/metrics/main.ts", out: "flannel/lib/metrics", format: "cjs", target: "node12" },
  // What `node --build-snapshot` runs on the machine (src/runtime/startup-snapshot.ts); node12 drops the
  // node: prefix, which the snapshot builder's require does not take on Node.js 18.
  {
    in: "src/runtime/startup-snapshot-main.ts",
    out: "flannel/lib/node-startup",
    format: "cjs",
    target: "node12",
  },
];

// etcd3 reads its .proto files from disk when it is first loaded; a bundle has no such files, so the
// parsed definitions are embedded instead and handed to proto-loader's fromJSON.
function etcdProtoPlugin() {
  return {
    name: "etcd3-embedded-protos",
    setup(build) {
      build.onLoad({ filter: /etcd3[\\/]lib[\\/]connection-pool\.js$/ }, async (args) => {
        const source = await readFile(args.path, "utf8");
        const call = /\(0, proto_loader_1\.loadSync\)\(`\$\{__dirname\}\/\.\.\/proto\/rpc\.proto`,/;
        if (!call.test(source)) throw new Error("etcd3's proto loading changed; update scripts/build.mjs");
        const json = JSON.stringify(parsedProtos(join(dirname(args.path), "../proto/rpc.proto")));
        return { contents: source.replace(call, `(0, proto_loader_1.fromJSON)(${json},`), loader: "js" };
      });
    },
  };
}

// Modules imported only with import() that the CommonJS entry must not bundle: chunks of the ES build.
const LAZY_MODULES = [
  { filter: /^execa$/, entryPoint: /node_modules\/execa\// },
  { filter: /\/etcd3-module$/, entryPoint: /src\/etcd\/etcd3-module\.ts$/ },
];

function sharedChunksPlugin(metafile, outdir) {
  return {
    name: "shared-chunks",
    setup(build) {
      for (const lazy of LAZY_MODULES) {
        build.onResolve({ filter: lazy.filter }, (args) => {
          if (args.kind !== "dynamic-import") throw new Error(`${args.path} must be imported lazily only`);
          const found = Object.entries(metafile.outputs).find(([, o]) =>
            lazy.entryPoint.test(o.entryPoint ?? ""),
          );
          if (!found) throw new Error(`no chunk for ${args.path} in the ES build`);
          return { path: `./${relative(outdir, found[0])}`, external: true };
        });
      }
    },
  };
}

function parsedProtos(path) {
  const protobuf = require("protobufjs");
  const parsed = new protobuf.Root().loadSync(path, { keepCase: true });
  return parsed.toJSON();
}

/** Builds every entry; returns esbuild's metafiles keyed by output name. */
export async function build(entries = ENTRIES) {
  const metafiles = {};
  // Chunk names carry content hashes: clear old ones so that the charm ships only what it imports.
  for (const entry of entries)
    await rm(join(root, "build", dirname(entry.out), "chunks"), { recursive: true, force: true });
  for (const entry of entries) {
    const esm = (entry.format ?? "esm") === "esm";
    const result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: [{ in: entry.in, out: basename(entry.out) }],
      outdir: join("build", dirname(entry.out)),
      // Split so that code only some hooks need (the etcd client, imported lazily) is its own chunk:
      // hooks that never touch etcd do not parse its 700 KB.
      splitting: esm,
      chunkNames: "chunks/[name]-[hash]",
      outExtension: { ".js": esm ? ".mjs" : ".cjs" },
      bundle: true,
      platform: "node",
      target: entry.target ?? "node18",
      external: entry.external ?? [],
      format: esm ? "esm" : "cjs",
      minifyWhitespace: true,
      legalComments: "none",
      metafile: true,
      logLevel: "warning",
      // Bundled CommonJS dependencies call require(); ESM output has no require of its own.
      banner: esm
        ? {
            js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
          }
        : {},
      plugins: [
        etcdProtoPlugin(),
        ...(entry.lazyChunksOf
          ? [sharedChunksPlugin(metafiles[entry.lazyChunksOf], join("build", dirname(entry.out)))]
          : []),
      ],
    });
    metafiles[entry.out] = result.metafile;
  }
  return metafiles;
}

const DASHBOARDS_DIR = "src/grafana_dashboards";

/**
 * lib/cos-dashboards.json: every dashboard as the cos_agent library sends it (prepared by
 * src/cos/dashboard.ts, then LZMA in xz format and base64, as Python's lzma.compress with its defaults:
 * preset 6, CRC64, one thread). Done here because Node.js has no LZMA and the result is the same on
 * every unit.
 */
export async function buildCosDashboards() {
  const bundled = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ["src/cos/dashboard.ts"],
    bundle: true,
    platform: "node",
    format: "esm",
    write: false,
    logLevel: "warning",
  });
  const source = Buffer.from(bundled.outputFiles[0].text).toString("base64");
  const { prepareDashboard } = await import(`data:text/javascript;base64,${source}`);
  const charmName = /^name: (\S+)$/m.exec(await readFile(join(root, "metadata.yaml"), "utf8"))[1];
  const names = (await readdir(join(root, DASHBOARDS_DIR))).filter((name) => name.endsWith(".json")).sort();
  const dashboards = [];
  for (const name of names) {
    const text = await readFile(join(root, DASHBOARDS_DIR, name), "utf8");
    const prepared = prepareDashboard(text, charmName, `${DASHBOARDS_DIR}/${name}`);
    const xz = ["--format=xz", "-6", "--check=crc64", "--threads=1", "--stdout"];
    dashboards.push(execFileSync("xz", xz, { input: prepared }).toString("base64"));
  }
  await writeFile(join(root, "build/flannel/lib/cos-dashboards.json"), `${JSON.stringify(dashboards)}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await build();
  await buildCosDashboards();
}
