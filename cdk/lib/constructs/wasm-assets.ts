import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { REPO_ROOT } from '../paths.js';

/** Where the bundled Lambda code lives at run time (`LAMBDA_TASK_ROOT`). */
export const LAMBDA_TASK_ROOT = '/var/task';

/**
 * Folder (relative to the bundle root) holding every `.wasm` binary, flat, under its original file
 * name: the tfjs WASM backend (`tfjs-backend-wasm*.wasm`) and the @jsquash codecs
 * (`mozjpeg_dec.wasm`, `squoosh_png_bg.wasm`, `webp_dec.wasm`, ...).
 *
 * @example
 * ```ts
 * `${LAMBDA_TASK_ROOT}/${WASM_DIR}`; // '/var/task/wasm' = GRAFT_WASM_DIR
 * ```
 */
export const WASM_DIR = 'wasm';

/**
 * Folder (relative to the bundle root) holding the default MobileNetV2 backbone files from `nsfwjs`
 * (`model.min.js`, `group1-shard1of1.min.js`).
 *
 * @example
 * ```ts
 * `${LAMBDA_TASK_ROOT}/${MODEL_DIR}`; // '/var/task/models/mobilenet_v2' = GRAFT_MODEL_DIR
 * ```
 */
export const MODEL_DIR = 'models/mobilenet_v2';

/** One file to copy into the bundle: repo-relative source, bundle-relative target folder. */
export interface BundledFile {
  readonly source: string;
  readonly targetDir: string;
}

const require = createRequire(path.join(REPO_ROOT, 'package.json'));

function packageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`));
}

function filesIn(dir: string, test: (file: string) => boolean): string[] {
  if (!existsSync(dir)) throw new Error(`Expected ${dir} to exist (is the package installed?)`);
  const files = readdirSync(dir).filter(test).sort();
  if (files.length === 0) throw new Error(`No matching files in ${dir}`);
  return files.map((f) => path.join(dir, f));
}

/**
 * Lists the runtime files the Lambda bundles need beside `index.mjs`, resolved from the installed
 * packages at synth time (so a missing or moved file fails synth, not the first invocation).
 *
 * @example
 * ```ts
 * bundledRuntimeFiles().map((f) => f.source); // ['node_modules/@tensorflow/tfjs-backend-wasm/dist/...', ...]
 * ```
 */
export function bundledRuntimeFiles(): BundledFile[] {
  const isWasm = (f: string) => f.endsWith('.wasm');
  const wasm = [
    ...filesIn(path.join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist'), isWasm),
    ...filesIn(path.join(packageDir('@jsquash/jpeg'), 'codec/dec'), isWasm),
    ...filesIn(path.join(packageDir('@jsquash/jpeg'), 'codec/enc'), isWasm),
    ...filesIn(path.join(packageDir('@jsquash/png'), 'codec/pkg'), isWasm),
    ...filesIn(path.join(packageDir('@jsquash/webp'), 'codec/dec'), isWasm),
    ...filesIn(path.join(packageDir('@jsquash/webp'), 'codec/enc'), isWasm),
  ];
  // nsfwjs's `exports` map hides its dist folder from require.resolve; resolve the package root instead.
  const nsfwjs = path.dirname(require.resolve('nsfwjs')).replace(/(.*[/\\]nsfwjs)[/\\].*$/, '$1');
  const model = filesIn(path.join(nsfwjs, 'dist/models/mobilenet_v2'), (f) => f.endsWith('.min.js'));
  const names = new Set<string>();
  for (const file of wasm) {
    const name = path.basename(file);
    if (names.has(name))
      throw new Error(`Two .wasm files are both named ${name}; the flat ${WASM_DIR}/ would clash`);
    names.add(name);
  }
  return [
    ...wasm.map((f) => ({ source: path.relative(REPO_ROOT, f), targetDir: WASM_DIR })),
    ...model.map((f) => ({ source: path.relative(REPO_ROOT, f), targetDir: MODEL_DIR })),
  ];
}

/**
 * Shell commands for NodejsFunction's `afterBundling` hook that copy {@link bundledRuntimeFiles}
 * from `inputDir` (the project root) into `outputDir` (the bundle).
 *
 * @example
 * ```ts
 * commandHooks: { afterBundling: (i, o) => copyRuntimeFilesCommands(i, o), beforeBundling: () => [], beforeInstall: () => [] }
 * ```
 */
export function copyRuntimeFilesCommands(inputDir: string, outputDir: string): string[] {
  const files = bundledRuntimeFiles();
  const dirs = [...new Set(files.map((f) => f.targetDir))];
  return [
    `mkdir -p ${dirs.map((d) => `"${outputDir}/${d}"`).join(' ')}`,
    ...files.map(
      (f) => `cp "${inputDir}/${f.source.split(path.sep).join('/')}" "${outputDir}/${f.targetDir}/"`,
    ),
  ];
}
