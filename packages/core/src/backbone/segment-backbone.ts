import type { tf } from '@graft/runtime';
import { backboneFromModel } from './backbone-from-model.js';
import { BackboneError } from './errors.js';
import { splitBackbone } from './split-backbone.js';
import type { Backbone } from './types.js';

/**
 * The layers of a backbone between two of its cut points, as one model: from the output of `from` to the
 * output of `to` (e.g. to run activations stored at one cut up to a deeper one). Layers and weights are shared
 * with `backbone.model`, as with {@link splitBackbone}: dispose only `backbone.model`.
 *
 * @example
 * ```ts
 * const segment = segmentBackbone(backbone, 'block_5_add', 'block_13_expand_relu');
 * const deeper = segment.predict(storedActivations) as tf.Tensor;
 * ```
 */
export function segmentBackbone(backbone: Backbone, from: string, to: string): tf.LayersModel {
  const { upper } = splitBackbone(backbone, from);
  if (!upper) throw new BackboneError('unknown_cut', `nothing lies above '${from}'`);
  const size = upper.inputs[0]!.shape[1] ?? 1;
  const above = backboneFromModel(upper, {
    name: `${backbone.name}-above-${from}`,
    preprocessing: backbone.preprocessing,
    inputSize: size,
  });
  return splitBackbone(above, to).trunk;
}
