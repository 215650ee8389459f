import { tf } from '@graft/runtime';
import { applyHead } from '../head.js';

/**
 * Composes `model` (input → features) and a head into one flat functional model that shares their weights.
 *
 * @example
 * ```ts
 * const inference = composeWithHead(backbone.model, head); // image → probabilities
 * ```
 */
export function composeWithHead(
  model: tf.LayersModel,
  head: tf.LayersModel,
  name = 'graft_model',
): tf.LayersModel {
  const out = applyHead(head, model.outputs[0]!);
  return tf.model({ inputs: model.inputs, outputs: out, name });
}

/**
 * Shape (without batch) of a model's first output.
 *
 * @example
 * ```ts
 * outputShape(backbone.model); // [1280]
 * ```
 */
export function outputShape(model: tf.LayersModel): number[] {
  return model.outputs[0]!.shape.slice(1) as number[];
}
