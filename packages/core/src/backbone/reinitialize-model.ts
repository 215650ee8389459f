import { tf } from '@graft/runtime';
import { InvalidModelError } from './errors.js';
import { modelGraph, replay } from './graph.js';

type LayerClass = tf.serialization.SerializableConstructor<tf.layers.Layer>;
type FromConfig = tf.serialization.FromConfigMethod<tf.layers.Layer>;

/**
 * Returns a new model with the same architecture whose weights are freshly initialised (each layer is
 * re-created from its config, so its own initialisers run) — the 'architecture only' / scratch strategy.
 * The input model is not modified.
 *
 * @example
 * ```ts
 * const scratch = reinitializeModel(backbone.model);
 * ```
 */
export function reinitializeModel(model: tf.LayersModel): tf.LayersModel {
  const registry = tf.serialization.SerializationMap.getMap().classNameMap as unknown as Record<
    string,
    [LayerClass, FromConfig]
  >;
  const graph = modelGraph(model);
  const fresh = new Map<tf.layers.Layer, tf.layers.Layer>();
  const clone = (layer: tf.layers.Layer): tf.layers.Layer => {
    let copy = fresh.get(layer);
    if (!copy) {
      const entry = registry[layer.getClassName()];
      if (!entry) throw new InvalidModelError(`layer class '${layer.getClassName()}' is not registered`);
      copy = entry[1](entry[0], layer.getConfig()) as tf.layers.Layer;
      copy.trainable = layer.trainable;
      fresh.set(layer, copy);
    }
    return copy;
  };
  const seeds = new Map<tf.SymbolicTensor, tf.SymbolicTensor>();
  const inputs = graph.inputs.map((t) => {
    const input = tf.input({ shape: t.shape.slice(1) as number[], dtype: t.dtype, name: t.sourceLayer.name });
    seeds.set(t, input);
    return input;
  });
  const outputs = replay(graph, seeds, clone);
  return tf.model({ inputs, outputs, name: `${model.name}_scratch` });
}
