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
