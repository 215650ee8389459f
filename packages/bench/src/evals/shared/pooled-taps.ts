import { type Backbone, compileTrunk } from '@graft/core';
import { tf } from '@graft/runtime';
import { grayTensor, toBackboneInput } from './gray-images.js';
import { subModel } from './sub-model.js';

/** Global-average-pooled activations of several layers for n images, one flat row-major array per layer. */
export interface PooledTaps {
  /** `[n, dims[layer]]` per layer. */
  pooled: Record<string, Float32Array>;
  dims: Record<string, number>;
  msPerImage: number;
}

/**
 * Runs 28×28 gray images once through a backbone's compiled trunk, segment by segment up to the deepest of `layers`
 * (in network order; each must be a cut point), and keeps each layer's activations averaged over H×W.
 *
 * @example
 * ```ts
 * const taps = await extractPooledTaps(backbone, set.images, ['block_3_expand_relu', 'block_13_expand_relu']);
 * taps.pooled.block_13_expand_relu.length === set.images.length * taps.dims.block_13_expand_relu;
 * ```
 */
export async function extractPooledTaps(
  backbone: Backbone,
  images: ArrayLike<number>[],
  layers: string[],
  options: { batchSize?: number; log?: (m: string) => void } = {},
): Promise<PooledTaps> {
  const model = backbone.model;
  const segments = layers.map((to, i) =>
    compileTrunk(
      i === 0
        ? tf.model({ inputs: model.inputs, outputs: model.getLayer(to).output as tf.SymbolicTensor })
        : subModel(model, layers[i - 1]!, to),
    ),
  );
  const n = images.length;
  const dims = Object.fromEntries(layers.map((l, i) => [l, segments[i]!.outputShape.at(-1)!]));
  const pooled = Object.fromEntries(layers.map((l) => [l, new Float32Array(n * dims[l]!)]));
  const batchSize = options.batchSize ?? 64;
  const started = performance.now();
  let lastLog = started;
  try {
    for (let start = 0; start < n; start += batchSize) {
      const indexes = Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i);
      const outs = tf.tidy(() => {
        let x: tf.Tensor = toBackboneInput(
          grayTensor(images, indexes),
          backbone.inputSize,
          backbone.preprocessing,
        );
        return segments.map((s) => {
          x = s.predict(x as tf.Tensor4D);
          return tf.mean(x, [1, 2]);
        });
      });
      for (const [i, l] of layers.entries()) pooled[l]!.set(await outs[i]!.data(), start * dims[l]!);
      tf.dispose(outs);
      if (performance.now() - lastLog > 30_000) {
        lastLog = performance.now();
        options.log?.(`  trunk: ${start + indexes.length}/${n} images`);
      }
    }
  } finally {
    for (const s of segments) s.dispose();
  }
  return { pooled, dims, msPerImage: (performance.now() - started) / Math.max(1, n) };
}

/**
 * Rows of several per-layer feature arrays side by side: `[n, Σ dims]`.
 *
 * @example
 * ```ts
 * const x = concatColumns([taps.pooled.a, taps.pooled.b], [taps.dims.a, taps.dims.b], n);
 * ```
 */
export function concatColumns(parts: Float32Array[], dims: number[], n: number): Float32Array {
  const width = dims.reduce((a, b) => a + b, 0);
  const out = new Float32Array(n * width);
  for (let r = 0; r < n; r++) {
    let offset = 0;
    parts.forEach((part, i) => {
      out.set(part.subarray(r * dims[i]!, (r + 1) * dims[i]!), r * width + offset);
      offset += dims[i]!;
    });
  }
  return out;
}
