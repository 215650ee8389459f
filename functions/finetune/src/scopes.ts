import { disposeWeights } from '@graft/core';
import { tf } from '@graft/runtime';

/**
 * Tensors kept for later and freed together: whoever creates the scope disposes it (or hands its `dispose`
 * on in what it returns).
 *
 * @example
 * ```ts
 * const scope = tensorScope();
 * try {
 *   const x = scope.keep(stack(rows, shape));
 *   return { x, dispose: scope.dispose };
 * } catch (error) {
 *   scope.dispose();
 *   throw error;
 * }
 * ```
 */
export interface TensorScope {
  /** Adds a tensor to the scope and returns it. */
  keep<T extends tf.Tensor>(tensor: T): T;
  /** Frees every tensor kept so far. */
  dispose(): void;
}

/**
 * A new, empty {@link TensorScope}.
 *
 * @example
 * ```ts
 * const scope = tensorScope();
 * const x = scope.keep(tf.zeros([2, 2]));
 * scope.dispose();
 * ```
 */
export function tensorScope(): TensorScope {
  const tensors: tf.Tensor[] = [];
  return {
    keep(tensor) {
      tensors.push(tensor);
      return tensor;
    },
    dispose: () => tf.dispose(tensors),
  };
}

/**
 * Models whose weights a job created, freed together with `disposeWeights` (layers several models share are
 * freed once).
 *
 * @example
 * ```ts
 * const weights = weightScope(backbone.model);
 * try {
 *   const result = await train(input, options);
 *   weights.add(result.model, result.head, result.inference);
 * } finally {
 *   weights.dispose();
 * }
 * ```
 */
export interface WeightScope {
  /** Adds models (`undefined` is skipped) whose weights {@link WeightScope.dispose} frees. */
  add(...models: (tf.LayersModel | undefined)[]): void;
  /** Frees the weights of every model added, each weight once; returns how many were freed. */
  dispose(): number;
}

/**
 * A new {@link WeightScope} holding `models`.
 *
 * @example
 * ```ts
 * const weights = weightScope(backbone.model);
 * weights.dispose();
 * ```
 */
export function weightScope(...models: (tf.LayersModel | undefined)[]): WeightScope {
  const held = [...models];
  return {
    add: (...more) => {
      held.push(...more);
    },
    dispose: () => disposeWeights(held),
  };
}
