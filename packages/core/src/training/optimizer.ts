import { tf } from '@graft/runtime';
import { InvalidTrainingOptionsError } from './errors.js';

/**
 * Creates a tfjs optimizer by name.
 *
 * @example
 * ```ts
 * const opt = createOptimizer('adam', 1e-3);
 * ```
 */
export function createOptimizer(name: 'adam' | 'sgd' | 'rmsprop', learningRate: number): tf.Optimizer {
  if (!(learningRate > 0) || !Number.isFinite(learningRate))
    throw new InvalidTrainingOptionsError('learningRate must be a positive number');
  switch (name) {
    case 'adam':
      return tf.train.adam(learningRate);
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
    default:
      throw new InvalidTrainingOptionsError(`unknown optimizer "${String(name)}"`);
  }
}

/**
 * Multiplies an optimizer's learning rate by `factor` (tfjs' SGD keeps it as a tensor, set with `setLearningRate`;
 * Adam and RMSprop read the number on every step).
 *
 * @example
 * ```ts
 * const opt = createOptimizer('adam', 1e-3);
 * scaleLearningRate(opt, 0.2); // now 2e-4
 * ```
 */
export function scaleLearningRate(optimizer: tf.Optimizer, factor: number): void {
  const o = optimizer as unknown as { learningRate: number; setLearningRate?: (rate: number) => void };
  const next = o.learningRate * factor;
  if (typeof o.setLearningRate === 'function') o.setLearningRate(next);
  else o.learningRate = next;
}

/**
 * An optimizer's current learning rate.
 *
 * @example
 * ```ts
 * learningRateOf(createOptimizer('sgd', 0.01)); // 0.01
 * ```
 */
export function learningRateOf(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}
