import type { tf } from '@graft/runtime';
import { InvalidTrainingInputError } from '../errors.js';

/**
 * Per-sample class scores: probabilities or logits, as rows of numbers or a `[n, classes]` tensor.
 *
 * @example
 * ```ts
 * const s: Scores = [[0.9, 0.1], [0.2, 0.8]];
 * ```
 */
export type Scores = number[][] | Float32Array[] | tf.Tensor2D;

/**
 * Whether scores are probabilities or logits (`'auto'`: probabilities when every row is in [0, 1] and sums to 1).
 *
 * @example
 * ```ts
 * evaluate(logits, labels, names, { kind: 'logits' satisfies ScoreKind });
 * ```
 */
export type ScoreKind = 'probs' | 'logits' | 'auto';

/**
 * Reads scores into rows of numbers.
 *
 * @example
 * ```ts
 * toRows(tf.tensor2d([[0.2, 0.8]])); // [[0.2, 0.8]]
 * ```
 */
export function toRows(scores: Scores): number[][] {
  if (Array.isArray(scores)) return scores.map((r) => Array.from(r));
  if (scores.rank !== 2)
    throw new InvalidTrainingInputError(`scores must be [n, classes], got [${scores.shape}]`);
  return scores.arraySync();
}

/**
 * True when every row is a probability distribution.
 *
 * @example
 * ```ts
 * looksLikeProbabilities([[0.1, 0.9]]); // true
 * ```
 */
export function looksLikeProbabilities(rows: number[][]): boolean {
  return rows.every(
    (r) => r.every((v) => v >= 0 && v <= 1) && Math.abs(r.reduce((a, b) => a + b, 0) - 1) < 1e-3,
  );
}

/**
 * Numerically stable softmax of one row with temperature `t`.
 *
 * @example
 * ```ts
 * softmax([1, 2, 3], 1); // [0.09, 0.245, 0.665]
 * ```
 */
export function softmax(logits: number[], t = 1): number[] {
  const m = Math.max(...logits);
  const e = logits.map((v) => Math.exp((v - m) / t));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/**
 * Logits of rows of scores: probabilities become `log(max(p, 1e-12))` (softmax of that is the same distribution).
 *
 * @example
 * ```ts
 * toLogits([[0.5, 0.5]], 'probs'); // [[-0.693, -0.693]]
 * ```
 */
export function toLogits(rows: number[][], kind: ScoreKind = 'auto'): number[][] {
  const probs = kind === 'probs' || (kind === 'auto' && looksLikeProbabilities(rows));
  return probs ? rows.map((r) => r.map((p) => Math.log(Math.max(p, 1e-12)))) : rows;
}

/**
 * Probabilities of rows of scores (softmax of logits, identity for probabilities).
 *
 * @example
 * ```ts
 * toProbabilities([[0, 0]], 'logits'); // [[0.5, 0.5]]
 * ```
 */
export function toProbabilities(rows: number[][], kind: ScoreKind = 'auto', temperature = 1): number[][] {
  return toLogits(rows, kind).map((r) => softmax(r, temperature));
}
