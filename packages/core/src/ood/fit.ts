/**
 * Fits the out-of-distribution detector of a trained model: class means, the shared within-class covariance's
 * leading directions and a bank of normalised features on the training split; one threshold per method on the
 * validation split. Sized to fit {@link OOD_BUDGET_BYTES}.
 */
import { tf } from '@graft/runtime';
import { InvalidTrainingInputError } from '../training/errors.js';
import { leadingEigen } from './eigen.js';
import { dequantizeRows, quantizeRows } from './quantize.js';
import { scoreOod } from './scores.js';
import { keepThreshold } from './threshold.js';
import {
  type KnnStats,
  type MahalanobisStats,
  type Matrix,
  OOD_METHODS,
  type OodMethod,
  type OodStats,
} from './types.js';

/**
 * Largest `ood.bin` a model may carry (2 MB).
 *
 * @example
 * ```ts
 * encodeOod(stats).byteLength <= OOD_BUDGET_BYTES; // true
 * ```
 */
export const OOD_BUDGET_BYTES = 2_000_000;

/**
 * The method a model flags images with unless a request names another (chosen from `graft eval open-set`, see
 * BENCHMARKS.md).
 *
 * @example
 * ```ts
 * fitOod({ ...splits, method: DEFAULT_OOD_METHOD });
 * ```
 */
export const DEFAULT_OOD_METHOD: OodMethod = 'mahalanobis';

/**
 * What {@link fitOod} fits on.
 *
 * @example
 * ```ts
 * const input: FitOodInput = { train, trainLabels, numClasses: 10, val, valLogits, temperature: 1.3 };
 * ```
 */
export interface FitOodInput {
  /** Pooled features of the training split, `n × d`. */
  train: Matrix;
  trainLabels: readonly number[];
  numClasses: number;
  /** Pooled features and logits of the validation split (the thresholds; the training split without one). */
  val: Matrix;
  valLogits: Matrix;
  /** Temperature of the calibrated softmax (for `msp`). */
  temperature?: number;
  /** Share of validation images to keep (default 0.95). */
  keep?: number;
  method?: OodMethod;
  /** Principal directions kept for Mahalanobis (default 64; fewer when the budget or the data cannot hold them). */
  components?: number;
  /** Neighbour rank for kNN (default: 1 % of the bank, 1–50). */
  k?: number;
  /** Size budget of `ood.bin` (default {@link OOD_BUDGET_BYTES}). */
  budgetBytes?: number;
}

/**
 * Fits every method and its threshold.
 *
 * @example
 * ```ts
 * const stats = fitOod({ train, trainLabels, numClasses: 10, val, valLogits, temperature: 1.2 });
 * const bytes = encodeOod(stats); // ood.bin
 * ```
 */
export function fitOod(input: FitOodInput): OodStats {
  const { train, trainLabels, numClasses } = input;
  if (train.rows !== trainLabels.length || train.rows < 2)
    throw new InvalidTrainingInputError(
      `OOD fitting needs at least 2 labelled rows, got ${train.rows} rows and ${trainLabels.length} labels`,
    );
  if (input.val.cols !== train.cols || input.val.rows !== input.valLogits.rows)
    throw new InvalidTrainingInputError('validation features and logits do not match the training features');
  const budget = input.budgetBytes ?? OOD_BUDGET_BYTES;
  const d = train.cols;
  // Mahalanobis gets what its directions and means need (float32); the kNN bank the rest of the budget (int8).
  const fixed = 4096 + numClasses * d * 4;
  const maxComponents = Math.max(1, Math.floor((budget * 0.4) / (d * 4)));
  const components = Math.max(
    1,
    Math.min(input.components ?? 64, maxComponents, d, Math.max(1, train.rows - numClasses)),
  );
  const mahalanobis = fitMahalanobis(train, trainLabels, numClasses, components);
  const bankRows = Math.max(1, Math.floor((budget - fixed - components * (d * 4 + 4)) / (d + 4)));
  const knn = fitKnn(train, trainLabels, Math.min(bankRows, train.rows), input.k);
  const stats: OodStats = {
    method: input.method ?? DEFAULT_OOD_METHOD,
    thresholds: { msp: 0, energy: 0, mahalanobis: 0, knn: 0 },
    keep: input.keep ?? 0.95,
    temperature: input.temperature ?? 1,
    mahalanobis,
    knn,
  };
  const batch = { features: input.val, logits: input.valLogits };
  for (const method of OOD_METHODS)
    stats.thresholds[method] = keepThreshold(scoreOod(method, stats, batch), stats.keep);
  return stats;
}

function fitMahalanobis(
  x: Matrix,
  labels: readonly number[],
  numClasses: number,
  components: number,
): MahalanobisStats {
  const d = x.cols;
  const sums = new Float64Array(numClasses * d);
  const counts = new Float64Array(numClasses);
  for (let i = 0; i < x.rows; i++) {
    const c = labels[i]!;
    counts[c]!++;
    for (let j = 0; j < d; j++) sums[c * d + j]! += x.data[i * d + j]!;
  }
  const means = new Float32Array(numClasses * d);
  for (let c = 0; c < numClasses; c++)
    for (let j = 0; j < d; j++) means[c * d + j] = counts[c]! > 0 ? sums[c * d + j]! / counts[c]! : 0;
  const centred = new Float32Array(x.rows * d);
  for (let i = 0; i < x.rows; i++) {
    const c = labels[i]!;
    for (let j = 0; j < d; j++) centred[i * d + j] = x.data[i * d + j]! - means[c * d + j]!;
  }
  let trace = 0;
  for (const v of centred) trace += v * v;
  trace /= x.rows;
  const { values, vectors } = covarianceEigen(centred, x.rows, d, components);
  const floor = Math.max(values[0]! * 1e-6, 1e-12);
  const variances = Float32Array.from(values, (v) => Math.max(v, floor));
  const kept = variances.reduce((a, b) => a + b, 0);
  const rest = d - variances.length;
  const residualVariance = rest > 0 ? Math.max((trace - kept) / rest, floor) : floor;
  return {
    means: { rows: numClasses, cols: d, data: means },
    basis: { rows: variances.length, cols: d, data: Float32Array.from(vectors) },
    variances,
    residualVariance,
  };
}

/**
 * The leading eigenpairs of the covariance `Xcᵀ Xc / n` of centred rows. With fewer rows than dimensions (flattened
 * conv features: 4,608-d for the MNIST CNN) it decomposes the `n × n` Gram matrix `Xc Xcᵀ / n` instead — same
 * eigenvalues, eigenvectors `Xcᵀ v / √(n λ)` — so neither a `d × d` matrix nor `d²`-sized products are needed.
 */
function covarianceEigen(
  centred: Float32Array,
  n: number,
  d: number,
  components: number,
): { values: Float64Array; vectors: Float64Array } {
  const xc = tf.tensor2d(centred, [n, d]);
  try {
    if (d <= n) {
      const covariance = tf.tidy(() => tf.div(tf.matMul(xc, xc, true, false), n) as tf.Tensor2D);
      try {
        return leadingEigen(covariance, components);
      } finally {
        covariance.dispose();
      }
    }
    const gram = tf.tidy(() => tf.div(tf.matMul(xc, xc, false, true), n) as tf.Tensor2D);
    let small: { values: Float64Array; vectors: Float64Array };
    try {
      small = leadingEigen(gram, components);
    } finally {
      gram.dispose();
    }
    // Directions with (numerically) no variance have no well-defined eigenvector: they join the residual.
    const kept = small.values.findIndex((v) => !(v > small.values[0]! * 1e-9));
    const r = kept === -1 ? small.values.length : Math.max(1, kept);
    const lifted = tf.tidy(() =>
      tf.matMul(tf.tensor2d(Float32Array.from(small.vectors.subarray(0, r * n)), [r, n]), xc),
    );
    const rows = lifted.dataSync();
    lifted.dispose();
    const vectors = new Float64Array(r * d);
    for (let i = 0; i < r; i++) {
      const scale = 1 / Math.sqrt(n * Math.max(small.values[i]!, 1e-30));
      for (let j = 0; j < d; j++) vectors[i * d + j] = rows[i * d + j]! * scale;
    }
    return { values: small.values.slice(0, r), vectors };
  } finally {
    xc.dispose();
  }
}

/** An even, deterministic sample of `rows` training images per class share, normalised and int8-quantised. */
function fitKnn(x: Matrix, labels: readonly number[], rows: number, k?: number): KnnStats {
  const d = x.cols;
  const order = [...Array(x.rows).keys()].sort((a, b) => labels[a]! - labels[b]! || a - b);
  const step = x.rows / rows;
  const picked = Array.from({ length: rows }, (_, i) => order[Math.floor(i * step)]!);
  const bank = new Float32Array(rows * d);
  picked.forEach((row, i) => {
    let norm = 0;
    for (let j = 0; j < d; j++) norm += x.data[row * d + j]! ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let j = 0; j < d; j++) bank[i * d + j] = x.data[row * d + j]! / norm;
  });
  const { values, scales } = quantizeRows({ rows, cols: d, data: bank });
  return {
    bank: { rows, cols: d, data: dequantizeRows(values, scales, d) },
    k: k ?? Math.min(50, Math.max(1, Math.round(rows / 100))),
  };
}
