import { InvalidTrainingOptionsError } from './errors.js';
import type { Labels } from './types.js';

/**
 * Resolves class weights: `'balanced'` gives `n / (classes · count_c)` (as scikit-learn and Keras do),
 * an array is validated and returned, `undefined` gives all ones.
 *
 * @example
 * ```ts
 * resolveClassWeights('balanced', [0, 0, 0, 1], 2); // [0.667, 2]
 * ```
 */
export function resolveClassWeights(
  spec: 'balanced' | number[] | undefined,
  labels: Labels,
  numClasses: number,
): number[] {
  if (spec === undefined) return new Array(numClasses).fill(1);
  if (spec === 'balanced') {
    const counts = new Array(numClasses).fill(0);
    for (let i = 0; i < labels.length; i++) counts[labels[i]!]++;
    return counts.map((c) => (c === 0 ? 0 : labels.length / (numClasses * c)));
  }
  if (spec.length !== numClasses || spec.some((w) => !(w >= 0) || !Number.isFinite(w)))
    throw new InvalidTrainingOptionsError(`classWeights needs ${numClasses} finite non-negative numbers`);
  return [...spec];
}
