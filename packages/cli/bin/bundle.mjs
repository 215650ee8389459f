// The `graft` command's compiled form. Graft ships TypeScript sources; compiling them on the fly (tsx) costs every
// process a loader thread (~30 MB) and ~250 ms before the first line runs. So the command line is bundled once with
// esbuild (~150 ms) into node_modules/.cache/graft/, and each start checks the bundle against its sources (size and
// mtime of every input, a few ms) before importing it; an edited source makes the next start rebuild it. Worker
// threads still load their modules through tsx (their bootstrap registers it).
//
// The bundle keeps each source's view of itself: `import.meta.url` in a source becomes that source's own URL,
// resolved against the bundle at run time, so `new URL('./worker.ts', import.meta.url)` still names the file beside it.
// Packages in node_modules stay external (one copy of tfjs, loaded by Node as before).
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Bumped when the build below changes, so that an older bundle is not taken for a fresh one. */
const BUILD_FORMAT = 2;
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'graft');
const CURRENT = path.join(CACHE, 'current.json');
/** Bundles older than this are removed when a new one is written (a running process may still load lazy chunks). */
const KEEP_OLD_MS = 24 * 3600_000;

/**
 * The bundled entries, `{ main, benchCommands? }` (module namespaces), built first when the bundle is missing or
 * older than a source. Returns undefined when there is no bundler (an install without dev tools) or the build fails;
 * the caller then compiles on the fly. `GRAFT_BUNDLE=0` skips it.
 *
 * @param {{ bench: boolean }} options whether to include `@graft/bench/commands` (when it is installed)
 */
export async function loadBundle({ bench }) {
  if (process.env.GRAFT_BUNDLE === '0') return undefined;
  let current = await freshBundle();
  if (!current) {
    try {
      current = await buildBundle();
    } catch (error) {
      if (process.env.GRAFT_DEBUG)
        process.stderr.write(`graft: bundling failed, compiling on the fly: ${error}\n`);
      return undefined;
    }
  }
  const dir = path.join(CACHE, current.dir);
  const main = await import(pathToFileURL(path.join(dir, 'main.js')).href);
  const benchCommands =
    bench && current.entries.includes('bench-commands')
      ? await import(pathToFileURL(path.join(dir, 'bench-commands.js')).href)
      : undefined;
  return { main, benchCommands };
}

/** The current bundle's record when every source it was built from is unchanged, else undefined. */
async function freshBundle() {
  let current;
  try {
    current = JSON.parse(await readFile(CURRENT, 'utf8'));
  } catch {
    return undefined;
  }
  if (current.format !== BUILD_FORMAT || current.node !== process.version) return undefined;
  try {
    const stats = await Promise.all(Object.keys(current.inputs).map((file) => stat(path.join(ROOT, file))));
    const same = Object.values(current.inputs).every(
      ([size, mtimeMs], i) => stats[i].size === size && stats[i].mtimeMs === mtimeMs,
    );
    // A workspace file that did not exist at build time (a new bench entry) is caught by its importer's mtime.
    return same ? current : undefined;
  } catch {
    return undefined;
  }
}

async function buildBundle() {
  const { build } = await import('esbuild');
  const entryPoints = { main: path.join(ROOT, 'packages/cli/src/main.ts') };
  const benchEntry = path.join(ROOT, 'packages/bench/src/commands/index.ts');
  if (await exists(benchEntry)) entryPoints['bench-commands'] = benchEntry;
  const dirName = `b-${Date.now().toString(36)}-${process.pid}`;
  const outdir = path.join(CACHE, dirName);
  const result = await build({
    entryPoints,
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    metafile: true,
    absWorkingDir: ROOT,
    logLevel: 'silent',
    plugins: [workspaceOnly(outdir)],
  });
  const inputs = {};
  // The sources it read, and the package.json files that map imports (`exports`, `imports`) but are not sources.
  const files = [
    ...Object.keys(result.metafile.inputs).map((input) => path.resolve(ROOT, input)),
    ...(await workspaceManifests()),
  ];
  await Promise.all(
    files.map(async (file) => {
      const s = await stat(file);
      inputs[path.relative(ROOT, file)] = [s.size, s.mtimeMs];
    }),
  );
  const record = {
    format: BUILD_FORMAT,
    node: process.version,
    dir: dirName,
    entries: Object.keys(entryPoints),
    inputs,
  };
  const temporary = `${CURRENT}.${process.pid}`;
  await writeFile(temporary, JSON.stringify(record));
  await rename(temporary, CURRENT);
  await removeOldBundles(dirName);
  return record;
}

/**
 * Bundles the workspace's sources only: a bare import of a package that is not `@graft/*` stays external, and a
 * package-internal import (`#tfjs`) is resolved here and kept external as a path relative to the bundle.
 */
function workspaceOnly(outdir) {
  return {
    name: 'graft-workspace-only',
    setup(b) {
      b.onResolve({ filter: /^#/ }, async (args) => {
        if (args.pluginData === 'graft-resolving') return undefined;
        const resolved = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: 'graft-resolving',
        });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        if (!resolved.path.endsWith('.cjs')) return undefined;
        return { path: relativeImport(outdir, resolved.path), external: true };
      });
      b.onResolve({ filter: /^[^./#]/ }, (args) => {
        if (args.path.startsWith('@graft/') || path.isAbsolute(args.path)) return undefined;
        return { path: args.path, external: true };
      });
      b.onLoad({ filter: /\.(ts|mts|js|mjs)$/ }, async (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const source = await readFile(args.path, 'utf8');
        if (!source.includes('import.meta.url')) return undefined;
        const own = `new URL(${JSON.stringify(relativeImport(outdir, args.path))}, import.meta.url).href`;
        return {
          contents: source.replaceAll('import.meta.url', own),
          loader: /\.m?ts$/.test(args.path) ? 'ts' : 'js',
          resolveDir: path.dirname(args.path),
        };
      });
    },
  };
}

/** `file` as an import specifier relative to the bundle's folder (every chunk sits in that folder). */
function relativeImport(outdir, file) {
  return path.relative(outdir, file).split(path.sep).join('/');
}

async function removeOldBundles(keep) {
  const now = Date.now();
  for (const entry of await readdir(CACHE, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === keep) continue;
    const dir = path.join(CACHE, entry.name);
    const s = await stat(dir).catch(() => undefined);
    if (s && now - s.mtimeMs > KEEP_OLD_MS) await rm(dir, { recursive: true, force: true });
  }
}

/** The root's and every workspace's package.json. */
async function workspaceManifests() {
  const manifests = [path.join(ROOT, 'package.json')];
  for (const group of ['packages', 'functions']) {
    const entries = await readdir(path.join(ROOT, group), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const manifest = path.join(ROOT, group, entry.name, 'package.json');
      if (entry.isDirectory() && (await exists(manifest))) manifests.push(manifest);
    }
  }
  return manifests;
}

async function exists(file) {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
