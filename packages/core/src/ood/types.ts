/**
 * The out-of-distribution scores Graft computes for every prediction. Higher means less like the training data.
 *
 * - `msp`: minus the maximum (calibrated) softmax probability — the baseline (Hendrycks & Gimpel 2017).
 * - `energy`: minus the log-sum-exp of the logits (Liu et al. 2020).
 * - `mahalanobis`: the smallest Mahalanobis distance to a class mean under one shared covariance (Lee et al. 2018).
 * - `knn`: the distance to the k-th nearest training image on L2-normalised features (Sun et al. 2022).
 *
 * @example
 * ```ts
 * const method: OodMethod = 'mahalanobis';
 * ```
 */
export type OodMethod = 'msp' | 'energy' | 'mahalanobis' | 'knn';

/**
 * Every method, baseline first.
 *
 * @example
 * ```ts
 * for (const method of OOD_METHODS) console.log(method);
 * ```
 */
export const OOD_METHODS: readonly OodMethod[] = ['msp', 'energy', 'mahalanobis', 'knn'];

/**
 * Rows of a matrix, stored flat (row-major).
 *
 * @example
 * ```ts
 * const m: Matrix = { rows: 2, cols: 3, data: new Float32Array(6) };
 * ```
 */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

/**
 * The Mahalanobis model: class means and the shared within-class covariance, kept as its top `r` principal
 * directions (`basis`, `r × d`, orthonormal rows) with their variances, plus one variance for the rest of the space.
 *
 * @example
 * ```ts
 * const distance = mahalanobisScores(features, stats.mahalanobis);
 * ```
 */
export interface MahalanobisStats {
  /** Class means, `classes × d`. */
  means: Matrix;
  /** Principal directions of the within-class covariance, `r × d`. */
  basis: Matrix;
  /** Variance along each direction of `basis`. */
  variances: Float32Array;
  /** Mean variance of the directions outside `basis`. */
  residualVariance: number;
}

/**
 * The kNN model: a bank of L2-normalised training features (quantised to int8 per row) and `k`.
 *
 * @example
 * ```ts
 * const distances = knnScores(features, stats.knn);
 * ```
 */
export interface KnnStats {
  /** Normalised training features, `rows × d`. */
  bank: Matrix;
  k: number;
}

/**
 * Everything the detector needs besides the model's own outputs: fitted on the training split, thresholds on the
 * validation split. Stored in the bundle as `ood.bin` ({@link encodeOod}).
 *
 * @example
 * ```ts
 * const stats: OodStats = fitOod({ train, trainLabels, numClasses, val, valLogits, temperature });
 * stats.thresholds.mahalanobis; // keeps 95 % of validation images
 * ```
 */
export interface OodStats {
  /** The method a prediction uses unless the request names another. */
  method: OodMethod;
  /** Per method: scores above it are flagged `unknown`. */
  thresholds: Record<OodMethod, number>;
  /** Share of in-distribution validation images the thresholds keep. */
  keep: number;
  /** Temperature the `msp` score is calibrated with. */
  temperature: number;
  mahalanobis: MahalanobisStats;
  knn: KnnStats;
}

/**
 * One image's out-of-distribution verdict, as the predict API shows it.
 *
 * @example
 * ```ts
 * const ood: OodVerdict = { score: 41.2, threshold: 37.9, method: 'mahalanobis' };
 * const unknown = ood.score > ood.threshold;
 * ```
 */
export interface OodVerdict {
  score: number;
  threshold: number;
  method: OodMethod;
}
