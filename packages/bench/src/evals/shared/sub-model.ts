import { tf } from '@graft/runtime';

/**
 * The part of a functional model between two layers: a new input shaped like `from`'s output, then every layer
 * after `from` up to `to` re-applied (the same layer objects, so weights are shared). Fails when a layer in between
 * reads a tensor from before `from` (then `from` is no cut point).
 *
 * @example
 * ```ts
 * const middle = subModel(backbone.model, 'block_13_expand_relu', 'block_16_project_BN');
 * const compiled = compileTrunk(middle);
 * ```
 */
export function subModel(model: tf.LayersModel, from: string, to: string): tf.LayersModel {
  const layers = model.layers;
  const start = layers.indexOf(model.getLayer(from));
  const end = layers.indexOf(model.getLayer(to));
  if (end <= start) throw new Error(`layer '${to}' does not come after '${from}'`);
  const shape = (layers[start]!.outputShape as number[]).slice(1);
  const input = tf.input({ shape, name: `${from}_sub_input` });
  const values = new Map<string, tf.SymbolicTensor>([[from, input]]);
  for (const layer of layers.slice(start + 1, end + 1)) {
    const inbound = layer.inboundNodes[0]!.inboundLayers.map((l) => values.get(l.name));
    if (inbound.some((v) => !v))
      throw new Error(`layer '${layer.name}' reads a tensor from before '${from}': not a cut point`);
    const args = inbound.length === 1 ? inbound[0]! : (inbound as tf.SymbolicTensor[]);
    values.set(layer.name, layer.apply(args) as tf.SymbolicTensor);
  }
  return tf.model({ inputs: input, outputs: values.get(to)!, name: `${from}_to_${to}` });
}
