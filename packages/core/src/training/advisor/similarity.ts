import { tf } from '@graft/runtime';
import { modelGraph } from '../../backbone/graph.js';
import type { Backbone } from '../../backbone/index.js';
import { InvalidTrainingInputError } from '../errors.js';
import { ADVISOR_THRESHOLDS } from './thresholds.js';

/**
 * How close a data set is to the data the backbone was trained on (lower score = more similar).
 *
 * @example
 * ```ts
 * const sim: SimilarityMeasure = await measureSimilarity(backbone, images); // { score: 0.62, method: 'bn-statistics', ... }
 * ```
 */
export interface SimilarityMeasure {
  /** Weighted mean divergence; compare with the thresholds of `method`. */
  score: number;
  method: 'bn-statistics' | 'source-statistics' | 'feature-statistics';
  /** Per BatchNormalization layer: mean symmetric KL over channels (empty for the fallback). */
  layers: { name: string; divergence: number }[];
  images: number;
}

interface Moments {
  sum: Float64Array;
  sumSq: Float64Array;
  count: number;
}

/**
 * Symmetric KL divergence between N(m1, v1) and N(m2, v2): `(v1 + d²)/(4 v2) + (v2 + d²)/(4 v1) − 1/2`.
 *
 * @example
 * ```ts
 * symmetricGaussianKl(0, 1, 0, 1); // 0
 * ```
 */
export function symmetricGaussianKl(m1: number, v1: number, m2: number, v2: number): number {
  const d2 = (m1 - m2) ** 2;
  return (v1 + d2) / (4 * v2) + (v2 + d2) / (4 * v1) - 0.5;
}

function bnLayers(backbone: Backbone) {
  const graph = modelGraph(backbone.model);
  const limit = backbone.pretrainedUpTo ?? Number.POSITIVE_INFINITY;
  return graph.nodes.filter(
    (n) => n.layer.getClassName() === 'BatchNormalization' && n.index <= limit && n.inputs.length === 1,
  );
}

/**
 * A source-free similarity signal. The images (preprocessed model input) run through the backbone; at every
 * BatchNormalization layer (up to `backbone.pretrainedUpTo`, i.e. the untouched source weights) the per-channel
 * mean and variance of the layer's INPUT over these images are compared with the layer's moving mean and
 * variance — the statistics of the source data — by the symmetric KL between the two Gaussians. The score is
 * `log(1 + mean KL over channels)` averaged over layers with weights decaying linearly from 1 to
 * `lastLayerWeight` (early layers see generic image statistics). Backbones without BatchNormalization fall back
 * to the mean fraction of inactive (≤ 0) pooled features (ReLU features of unfamiliar data are sparser).
 *
 * @example
 * ```ts
 * const sim = await measureSimilarity(backbone, images); // images: [n, size, size, 3], preprocessed
 * sim.score < ADVISOR_THRESHOLDS.similarBnScore; // similar?
 * ```
 */
export async function measureSimilarity(
  backbone: Backbone,
  images: tf.Tensor4D,
  options: { batchSize?: number; source?: SourceStatistics } = {},
): Promise<SimilarityMeasure> {
  checkImages(backbone, images);
  const n = Math.min(images.shape[0], ADVISOR_THRESHOLDS.maxSimilarityImages);
  const batchSize = options.batchSize ?? 8;
  if (options.source) return againstSource(backbone, images, n, batchSize, options.source);
  const nodes = bnLayers(backbone);
  if (nodes.length === 0) return featureStatistics(backbone, images, n, batchSize);

  const outputs = nodes.map((node) => node.inputs[0]!);
  const moments = await channelMoments(backbone, images, n, batchSize, outputs);
  const layers = nodes.map((node, i) => {
    const layer = node.layer as unknown as { getWeights(): tf.Tensor[]; getConfig(): { epsilon?: number } };
    const weights = layer.getWeights();
    // [gamma?, beta?, moving_mean, moving_variance]
    const eps = Number(layer.getConfig().epsilon ?? 1e-3);
    const divergence = meanDivergence(
      moments[i]!,
      weights.at(-2)!.dataSync(),
      weights.at(-1)!.dataSync(),
      eps,
    );
    return { name: node.layer.name, divergence };
  });
  return { score: weightedScore(layers), method: 'bn-statistics', layers, images: n };
}

/** Per-layer divergences → one score: `log1p` of each, weighted from 1 (first layer) down to `lastLayerWeight`. */
function weightedScore(layers: { divergence: number }[]): number {
  const last = ADVISOR_THRESHOLDS.lastLayerWeight;
  let num = 0;
  let den = 0;
  layers.forEach((l, i) => {
    const w = layers.length === 1 ? 1 : 1 - ((1 - last) * i) / (layers.length - 1);
    num += w * Math.log1p(l.divergence);
    den += w;
  });
  return num / den;
}

/**
 * What a source's own training images looked like inside the network: per probed layer (every spatial cut point
 * and the pooled features), the mean and variance of each channel. Recorded when Graft develops a source model and
 * kept with the backbone, so that a data set's similarity to the source is measured against the source itself —
 * the same divergence as the BatchNormalization statistics of a published backbone, on the same scale — instead of
 * a statistic that moves with every developed source.
 *
 * @example
 * ```ts
 * const stats: SourceStatistics = await recordSourceStatistics(developed, sourceImages);
 * ```
 */
export interface SourceStatistics {
  method: 'source-statistics';
  images: number;
  inputSize: number;
  layers: { name: string; mean: number[]; variance: number[] }[];
}

/**
 * Records {@link SourceStatistics} on (up to 4 × `maxSimilarityImages` of) a source's training images.
 *
 * @example
 * ```ts
 * const stats = await recordSourceStatistics(result.backbone!, trainImages);
 * const similarity = await measureSimilarity(result.backbone!, targetImages, { source: stats });
 * ```
 */
export async function recordSourceStatistics(
  backbone: Backbone,
  images: tf.Tensor4D,
  options: { batchSize?: number } = {},
): Promise<SourceStatistics> {
  checkImages(backbone, images);
  const n = Math.min(images.shape[0], 4 * ADVISOR_THRESHOLDS.maxSimilarityImages);
  const probed = probedCuts(backbone);
  const moments = await channelMoments(
    backbone,
    images,
    n,
    options.batchSize ?? 8,
    outputsAt(backbone, probed),
  );
  return {
    method: 'source-statistics',
    images: n,
    inputSize: backbone.inputSize,
    layers: probed.map((cut, i) => {
      const m = moments[i]!;
      const mean = Array.from(m.sum, (s) => s / m.count);
      return {
        name: cut.name,
        mean,
        variance: Array.from(m.sumSq, (q, j) => Math.max(0, q / m.count - mean[j]! ** 2)),
      };
    }),
  };
}

/** The cut points whose outputs the source statistics describe: every spatial one and the pooled features. */
function probedCuts(backbone: Backbone): Backbone['cuts'] {
  return backbone.cuts.filter((c) => c.outputShape.length === 3 || c.name === 'features');
}

/** Per-channel sums over images × positions of `outputs` (tensors of the backbone's graph) for the first `n` images. */
async function channelMoments(
  backbone: Backbone,
  images: tf.Tensor4D,
  n: number,
  batchSize: number,
  outputs: tf.SymbolicTensor[],
): Promise<Moments[]> {
  const probe = tf.model({ inputs: backbone.model.inputs, outputs });
  const moments: Moments[] = outputs.map((o) => {
    const c = o.shape.at(-1)!;
    return { sum: new Float64Array(c), sumSq: new Float64Array(c), count: 0 };
  });
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const stats = tf.tidy(() => {
      const outs = probe.predict(tf.slice(images, start, size)) as tf.Tensor | tf.Tensor[];
      return (Array.isArray(outs) ? outs : [outs]).map((t) => {
        const flat = t.reshape([-1, t.shape.at(-1)!]);
        return tf.stack([tf.sum(flat, 0), tf.sum(tf.square(flat), 0)]);
      });
    });
    for (let i = 0; i < stats.length; i++) {
      const data = await stats[i]!.data();
      const m = moments[i]!;
      const c = m.sum.length;
      for (let j = 0; j < c; j++) {
        m.sum[j]! += data[j]!;
        m.sumSq[j]! += data[c + j]!;
      }
      m.count += (outputs[i]!.shape.slice(1, -1) as number[]).reduce((a, b) => a * b, size);
    }
    tf.dispose(stats);
  }
  return moments;
}

/** The divergence of `images` from recorded source statistics, layer by layer, on the BN-statistics scale. */
async function againstSource(
  backbone: Backbone,
  images: tf.Tensor4D,
  n: number,
  batchSize: number,
  source: SourceStatistics,
): Promise<SimilarityMeasure> {
  const cutByName = new Map(backbone.cuts.map((c) => [c.name, c]));
  const recorded = source.layers.filter((l) => cutByName.has(l.name));
  if (recorded.length === 0 || source.inputSize !== backbone.inputSize)
    throw new InvalidTrainingInputError(
      `the source statistics were recorded at ${source.inputSize} px on layers ${source.layers.map((l) => l.name).join(', ')}: they do not describe ${backbone.id}`,
    );
  const cuts = recorded.map((l) => cutByName.get(l.name)!);
  const moments = await channelMoments(backbone, images, n, batchSize, outputsAt(backbone, cuts));
  const layers = recorded.map((l, i) => ({
    name: l.name,
    divergence: meanDivergence(moments[i]!, l.mean, l.variance, SOURCE_EPSILON),
  }));
  return { score: weightedScore(layers), method: 'source-statistics', layers, images: n };
}

/** The outputs of the layers at `cuts`. */
function outputsAt(backbone: Backbone, cuts: Backbone['cuts']): tf.SymbolicTensor[] {
  return cuts.map((c) => backbone.model.layers[c.index]!.output as tf.SymbolicTensor);
}

/** Mean over channels of the symmetric KL between the measured moments and a reference mean and variance. */
function meanDivergence(
  m: Moments,
  mean: ArrayLike<number>,
  variance: ArrayLike<number>,
  eps: number,
): number {
  let kl = 0;
  for (let j = 0; j < m.sum.length; j++) {
    const mu = m.sum[j]! / m.count;
    const v = Math.max(0, m.sumSq[j]! / m.count - mu * mu);
    kl += symmetricGaussianKl(mu, v + eps, mean[j]!, variance[j]! + eps);
  }
  return kl / m.sum.length;
}

/** Added to both variances (as BatchNormalization's epsilon): a channel that never fires is not infinitely far. */
const SOURCE_EPSILON = 1e-3;

function checkImages(backbone: Backbone, images: tf.Tensor4D): void {
  const expected = [backbone.inputSize, backbone.inputSize, backbone.inputChannels].join();
  if (images.rank !== 4 || images.shape.slice(1).join() !== expected || images.shape[0] === 0)
    throw new InvalidTrainingInputError(`images must be [n, ${expected}], got [${images.shape}]`);
}

async function featureStatistics(
  backbone: Backbone,
  images: tf.Tensor4D,
  n: number,
  batchSize: number,
): Promise<SimilarityMeasure> {
  let inactive = 0;
  let total = 0;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const counts = tf.tidy(() => {
      const f = backbone.model.predict(tf.slice(images, start, size)) as tf.Tensor;
      return tf.stack([tf.sum(tf.cast(tf.lessEqual(f, 0), 'float32')), tf.scalar(f.size)]);
    });
    const [a, b] = await counts.data();
    counts.dispose();
    inactive += a!;
    total += b!;
  }
  return { score: inactive / total, method: 'feature-statistics', layers: [], images: n };
}
