import { type Backbone, compileTrunk, gridPooling, poolActivations } from '@graft/core';
import { tf } from '@graft/runtime';
import { grayTensor, toBackboneInput } from './gray-images.js';
import { subModel } from './sub-model.js';

/** What {@link extractTrunkFeatures} computes for n images, as flat row-major float32 arrays. */
export interface TrunkFeatures {
  /** `[n, poolDim]`: global-average-pooled activations of `poolAt`. */
  pooled: Float32Array;
  poolDim: number;
  /** `[n, regionsDim]`: the activations of `poolAt` averaged over `grid × grid` regions (when asked). */
  regions?: Float32Array;
  regionsDim?: number;
  /** `[n, ...cutShape]`: activations at `cutAt` (when asked). */
  cut?: Float32Array;
  cutShape?: number[];
  msPerImage: number;
}

/**
 * Runs 28×28 gray images through a backbone's compiled trunk once, in batches: up to `poolAt` (pooled over
 * H×W → one vector per image) and on from there to `cutAt` (kept whole, for freeze-k). Memory stays bounded by
 * the two output arrays (`n × (poolDim + cutSize)` float32) plus one batch.
 *
 * @example
 * ```ts
 * const f = await extractTrunkFeatures(backbone, set.images, { poolAt: 'block_13_expand_relu', cutAt: 'block_16_project_BN' });
 * f.pooled.length === set.images.length * f.poolDim;
 * ```
 */
export async function extractTrunkFeatures(
  backbone: Backbone,
  images: ArrayLike<number>[],
  options: { poolAt: string; grid?: number; cutAt?: string; batchSize?: number; log?: (m: string) => void },
): Promise<TrunkFeatures> {
  const model = backbone.model;
  const poolLayer = model.getLayer(options.poolAt);
  const lower = compileTrunk(
    tf.model({ inputs: model.inputs, outputs: poolLayer.output as tf.SymbolicTensor }),
  );
  const upper = options.cutAt ? compileTrunk(subModel(model, options.poolAt, options.cutAt)) : undefined;
  const poolDim = lower.outputShape.at(-1)!;
  const grid = options.grid && gridPooling(lower.outputShape, options.grid) ? options.grid : undefined;
  // As many columns as the head's pooling gives (read off one pooled map, not re-derived from the grid).
  const regionsDim = grid
    ? tf.tidy(
        () =>
          poolActivations(
            tf.zeros<tf.Rank.R4>([1, ...lower.outputShape] as [number, number, number, number]),
            grid,
          ).shape[1]!,
      )
    : 0;
  const cutShape = upper?.outputShape;
  const cutSize = cutShape ? cutShape.reduce((a, b) => a * b, 1) : 0;
  const n = images.length;
  const pooled = new Float32Array(n * poolDim);
  const regions = grid ? new Float32Array(n * regionsDim) : undefined;
  const cut = upper ? new Float32Array(n * cutSize) : undefined;
  const batchSize = options.batchSize ?? 64;
  const started = performance.now();
  let lastLog = started;
  try {
    for (let start = 0; start < n; start += batchSize) {
      const indexes = Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i);
      const [p, r, c] = tf.tidy(() => {
        const gray = grayTensor(images, indexes);
        const a = lower.predict(toBackboneInput(gray, backbone.inputSize, backbone.preprocessing));
        return [
          tf.mean(a, [1, 2]),
          grid ? poolActivations(a as tf.Tensor4D, grid) : undefined,
          upper?.predict(a as tf.Tensor4D),
        ];
      });
      pooled.set(await p!.data(), start * poolDim);
      if (r && regions) regions.set(await r.data(), start * regionsDim);
      if (c && cut) cut.set(await c.data(), start * cutSize);
      tf.dispose([p!, r!, c!].filter(Boolean));
      if (performance.now() - lastLog > 30_000) {
        lastLog = performance.now();
        options.log?.(`  trunk: ${start + indexes.length}/${n} images`);
      }
    }
  } finally {
    lower.dispose();
    upper?.dispose();
  }
  return {
    pooled,
    poolDim,
    ...(regions ? { regions, regionsDim } : {}),
    ...(cut && cutShape ? { cut, cutShape } : {}),
    msPerImage: (performance.now() - started) / Math.max(1, n),
  };
}

/**
 * Standardises feature columns in place with the mean and standard deviation of `fit` (the training rows), and
 * applies the same transform to each of `others`.
 *
 * @example
 * ```ts
 * standardizeColumns(trainFeatures, 576, [testFeatures]);
 * ```
 */
export function standardizeColumns(fit: Float32Array, dim: number, others: Float32Array[] = []): void {
  const rows = fit.length / dim;
  const mean = new Float64Array(dim);
  const sq = new Float64Array(dim);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < dim; j++) {
      const v = fit[r * dim + j]!;
      mean[j]! += v;
      sq[j]! += v * v;
    }
  const inv = new Float64Array(dim);
  for (let j = 0; j < dim; j++) {
    mean[j]! /= Math.max(1, rows);
    inv[j] = 1 / Math.sqrt(Math.max(0, sq[j]! / Math.max(1, rows) - mean[j]! ** 2) + 1e-6);
  }
  for (const data of [fit, ...others])
    for (let i = 0; i < data.length; i++) data[i] = (data[i]! - mean[i % dim]!) * inv[i % dim]!;
}
