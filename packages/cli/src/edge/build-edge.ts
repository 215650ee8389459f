/**
 * `graft edge build`: bundles the API's Worker entrypoint (`functions/api/src/edge/worker.ts`) with esbuild into one
 * ES module, copies the `.wasm` files it imports next to it (workerd imports them as compiled modules) and writes a
 * `wrangler.toml` that deploys the folder as it is (`no_bundle`).
 */
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { EDGE_WASM_FILES, EDGE_WASM_PREFIX } from '@graft/fn-api';

const require = createRequire(import.meta.url);
const gzipAsync = promisify(gzip);

/** The compatibility date the Worker is written against (workerd 1.2026x). */
export const EDGE_COMPATIBILITY_DATE = '2026-07-01';
/** No `nodejs_compat`: with it, the Emscripten glue of tfjs-backend-wasm takes its Node path and fails. */
export const EDGE_COMPATIBILITY_FLAGS: string[] = [];

/**
 * Options of {@link buildEdge}.
 *
 * @example
 * ```ts
 * const options: BuildEdgeOptions = { outDir: 'dist/edge', name: 'graft-api', vars: { GRAFT_BUCKET: 'graft' } };
 * ```
 */
export interface BuildEdgeOptions {
  outDir: string;
  /** Worker name in `wrangler.toml` (default `graft-api`). */
  name?: string;
  /** Plain variables for `[vars]` (secrets go through `wrangler secret put`). */
  vars?: Record<string, string>;
  /** Minify the bundle (default true). */
  minify?: boolean;
}

/**
 * What {@link buildEdge} wrote and how big it is.
 *
 * @example
 * ```ts
 * const { script, codeGzipBytes, wasmGzipBytes } = await buildEdge({ outDir });
 * ```
 */
export interface EdgeBuild {
  outDir: string;
  /** The bundled Worker script. */
  script: string;
  /** The `.wasm` files next to it. */
  wasm: string[];
  wranglerToml: string;
  codeBytes: number;
  codeGzipBytes: number;
  wasmBytes: number;
  wasmGzipBytes: number;
}

/** The API package's Worker entrypoint. */
export function edgeEntry(): string {
  return path.join(path.dirname(require.resolve('@graft/fn-api')), 'edge', 'worker.ts');
}

function wasmFileFor(name: string): string {
  const spec = EDGE_WASM_FILES[name as keyof typeof EDGE_WASM_FILES];
  if (!spec) throw new Error(`unknown edge wasm import ${EDGE_WASM_PREFIX}${name}`);
  const [scope, pkg, ...rest] = spec.split('/');
  const root = path.dirname(require.resolve(`${scope}/${pkg}/package.json`));
  return path.join(root, ...rest);
}

const SKIP = Symbol('graft-edge-resolving');
const REPO_ROOT = path.resolve(path.dirname(require.resolve('@graft/fn-api')), '../../..');

function isGraftSource(file: string): boolean {
  const relative = path.relative(REPO_ROOT, file);
  return /^(packages|functions)\/[^/]+\/src\//.test(relative) && !relative.includes('node_modules');
}

async function gzipSize(file: string): Promise<{ bytes: number; gzip: number }> {
  const data = await readFile(file);
  return { bytes: data.byteLength, gzip: (await gzipAsync(data, { level: 9 })).byteLength };
}

/**
 * The `wrangler.toml` of a built folder.
 *
 * @example
 * ```ts
 * wranglerToml({ name: 'graft-api', vars: { GRAFT_BUCKET: 'graft' } });
 * ```
 */
export function wranglerToml(options: { name: string; vars: Record<string, string> }): string {
  const vars = Object.entries(options.vars).map(([k, v]) => `${k} = ${JSON.stringify(v)}`);
  return `# Written by \`graft edge build\`. Deploy this folder as it is: \`npx wrangler deploy\` (see docs/edge.md).
name = ${JSON.stringify(options.name)}
main = "worker.js"
compatibility_date = "${EDGE_COMPATIBILITY_DATE}"
compatibility_flags = ${JSON.stringify(EDGE_COMPATIBILITY_FLAGS)}
# Already bundled by graft; the .wasm files next to worker.js are imported as compiled modules.
no_bundle = true
rules = [{ type = "CompiledWasm", globs = ["**/*.wasm"], fallthrough = false }]

[limits]
# Paid plan: CPU time per request (a 224 px MobileNetV2 prediction needs ~100 ms, the first load more).
cpu_ms = 30000

[vars]
${vars.join('\n')}
# Secrets (not in this file): npx wrangler secret put GRAFT_API_TOKEN
#                             npx wrangler secret put GRAFT_S3_ACCESS_KEY_ID
#                             npx wrangler secret put GRAFT_S3_SECRET_ACCESS_KEY
`;
}

/**
 * Bundles the Worker into `outDir` (`worker.js`, the `.wasm` files, `wrangler.toml`) and measures it.
 *
 * @example
 * ```ts
 * const build = await buildEdge({ outDir: '.graft/edge', vars: { GRAFT_BUCKET: 'graft' } });
 * console.log(build.codeGzipBytes + build.wasmGzipBytes); // bytes a deploy uploads, compressed
 * ```
 */
export async function buildEdge(options: BuildEdgeOptions): Promise<EdgeBuild> {
  const { build } = await import('esbuild');
  const outDir = path.resolve(options.outDir);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const wasmNames = new Set<string>();
  const script = path.join(outDir, 'worker.js');
  await build({
    entryPoints: [edgeEntry()],
    outfile: script,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    minify: options.minify ?? true,
    legalComments: 'none',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [
      {
        name: 'graft-wasm',
        setup(b) {
          // Node-only code paths (the embedded S3 server, files on disk) are bundled but never run in workerd: their
          // `node:*` imports resolve to a module whose every member throws when used. Without nodejs_compat, tfjs and
          // Emscripten see a browser (with it, Emscripten takes its Node path and reaches for __dirname).
          b.onResolve(
            {
              filter:
                /^(node:)?(fs|fs\/promises|path|url|module|crypto|http|https|net|os|vm|dns|dns\/promises|worker_threads|stream|zlib|util|child_process|perf_hooks)$/,
            },
            (args) => ({
              path: args.path,
              namespace: 'graft-node-unavailable',
            }),
          );
          b.onLoad({ filter: /.*/, namespace: 'graft-node-unavailable' }, (args) => ({
            contents: `module.exports = new Proxy({}, { get(_, member) { if (member === '__esModule' || typeof member === 'symbol') return undefined; return () => { throw new Error(${JSON.stringify(args.path)} + '.' + String(member) + ' is not available in workerd'); }; } });`,
            loader: 'js',
          }));
          // tfjs's WebGL backend and tf.data are never used by Graft (grep: no tf.data, no webgl): only their
          // version strings stay, so the bundle keeps under 1 MB gzip with its wasm.
          b.onResolve({ filter: /^@tensorflow\/tfjs-(backend-webgl|data)$/ }, (args) => ({
            path: args.path,
            namespace: 'graft-tfjs-unused',
          }));
          b.onLoad({ filter: /.*/, namespace: 'graft-tfjs-unused' }, (args) => ({
            contents: `export const ${args.path.endsWith('data') ? 'version_data' : 'version_webgl'} = 'not in the edge build';`,
            loader: 'js',
          }));
          // Graft's own modules have no import-time side effects: let esbuild drop what the Worker never uses
          // (the embedded S3 server, training, files on disk) instead of bundling it behind re-exports.
          b.onResolve({ filter: /^(@graft\/|\.)/ }, async (args) => {
            if (args.pluginData === SKIP) return undefined;
            const resolved = await b.resolve(args.path, {
              resolveDir: args.resolveDir,
              kind: args.kind,
              importer: args.importer,
              pluginData: SKIP,
            });
            if (resolved.errors.length > 0 || !isGraftSource(resolved.path)) return undefined;
            return { ...resolved, sideEffects: false };
          });
          b.onResolve({ filter: new RegExp(`^${EDGE_WASM_PREFIX}`) }, (args) => {
            const name = args.path.slice(EDGE_WASM_PREFIX.length);
            const file = path.basename(wasmFileFor(name));
            wasmNames.add(name);
            return { path: `./${file}`, external: true };
          });
        },
      },
    ],
  });
  const wasm: string[] = [];
  let wasmBytes = 0;
  let wasmGzipBytes = 0;
  for (const name of wasmNames) {
    const source = wasmFileFor(name);
    const target = path.join(outDir, path.basename(source));
    await copyFile(source, target);
    wasm.push(target);
    const size = await gzipSize(target);
    wasmBytes += size.bytes;
    wasmGzipBytes += size.gzip;
  }
  const toml = path.join(outDir, 'wrangler.toml');
  await writeFile(toml, wranglerToml({ name: options.name ?? 'graft-api', vars: options.vars ?? {} }));
  const code = await gzipSize(script);
  return {
    outDir,
    script,
    wasm,
    wranglerToml: toml,
    codeBytes: code.bytes,
    codeGzipBytes: code.gzip,
    wasmBytes,
    wasmGzipBytes,
  };
}
