import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import type { tf } from '@graft/runtime';
import { InvalidModelError } from './errors.js';
import type { Preprocessing } from './types.js';

/** Input sizes the bundled MobileNetV2 can be rebuilt for. */
export const MOBILENET_V2_SIZES = [96, 128, 160, 192, 224] as const;

/**
 * Facts about the bundled MobileNetV2 (from the npm package `nsfwjs`).
 *
 * @example
 * ```ts
 * MOBILENET_V2.lastImagenetLayer; // 'block_10_project_BN': the layers above were retrained by nsfwjs' authors
 * ```
 */
export const MOBILENET_V2 = {
  name: 'mobilenet_v2',
  featuresLayer: 'out_relu',
  /** Last layer holding the untouched ImageNet weights; later layers were retrained by nsfwjs. */
  lastImagenetLayer: 'block_10_project_BN',
  preprocessing: { scale: 1 / 127.5, offset: -1 } satisfies Preprocessing,
  /**
   * Block outputs, plus the expanded activations inside blocks without a residual (where they are the only live
   * tensor): the cuts worth offering (plus 'features').
   */
  keepCut: (name: string): boolean =>
    /^(expanded_conv|block_\d+)_(project_BN|add|expand_relu)$|^out_relu$/.test(name),
};

let cached: Promise<tf.io.ModelArtifacts> | undefined;

/** Evaluates one of nsfwjs' UMD bundles and returns its `module.exports`. */
async function loadUmd(file: string): Promise<unknown> {
  const source = await readFile(file, 'utf8');
  const mod: { exports: unknown } = { exports: {} };
  vm.runInNewContext(source, { module: mod, exports: mod.exports }, { filename: file });
  return mod.exports;
}

/** Directory holding nsfwjs' MobileNetV2 files (resolved by path: the package `exports` map hides them). */
export function nsfwjsModelDir(): string {
  // In a bundle (Lambda) there is no node_modules: the deploy copies the model files into GRAFT_MODEL_DIR.
  if (process.env.GRAFT_MODEL_DIR) return process.env.GRAFT_MODEL_DIR;
  const require = createRequire(import.meta.url);
  // The main entry is <root>/dist/cjs/index.js; package.json itself is not exported.
  const main = require.resolve('nsfwjs');
  const root = main.slice(0, main.lastIndexOf(`${path.sep}dist${path.sep}`));
  return path.join(root, 'dist', 'models', 'mobilenet_v2');
}

/**
 * Reads nsfwjs' bundled MobileNetV2 (Keras topology + uint8-quantised weights) once per process.
 * The returned artifacts are shared: never mutate them.
 *
 * @example
 * ```ts
 * const artifacts = await nsfwjsMobilenetArtifacts();
 * console.log(artifacts.weightSpecs?.length); // 266
 * ```
 */
export function nsfwjsMobilenetArtifacts(): Promise<tf.io.ModelArtifacts> {
  cached ??= (async () => {
    const dir = nsfwjsModelDir();
    const model = (await loadUmd(path.join(dir, 'model.min.js'))) as {
      modelTopology?: object;
      weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    };
    const shard = await loadUmd(path.join(dir, 'group1-shard1of1.min.js'));
    if (!model.modelTopology || !model.weightsManifest || typeof shard !== 'string') {
      throw new InvalidModelError(`unexpected nsfwjs model files in ${dir}`);
    }
    const bytes = Buffer.from(shard, 'base64');
    const weightData = bytes.buffer.slice(
      bytes.byteOffset,
      bytes.byteOffset + bytes.byteLength,
    ) as ArrayBuffer;
    return {
      modelTopology: model.modelTopology,
      weightSpecs: model.weightsManifest.flatMap((g) => g.weights),
      weightData,
      format: 'layers-model',
    };
  })();
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}
