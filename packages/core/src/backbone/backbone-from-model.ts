import { tf } from '@graft/runtime';
import { computeCuts } from './cuts.js';
import { InvalidModelError, UnsupportedInputSizeError } from './errors.js';
import { modelGraph } from './graph.js';
import type { Backbone, Preprocessing } from './types.js';

/**
 * Metadata for {@link backboneFromModel}.
 *
 * @example
 * ```ts
 * const meta: BackboneMeta = { name: 'mnist_cnn', featuresLayer: 'flatten', preprocessing: { scale: 1 / 255, offset: 0 }, inputSize: 28 };
 * ```
 */
export interface BackboneMeta {
  name: string;
  /** Layer whose output are the features; default: the model's output. 4-D outputs get a GlobalAveragePooling2D 'features'. */
  featuresLayer?: string;
  preprocessing: Preprocessing;
  inputSize: number;
  /** Last layer index (in the resulting model) whose weights are untouched source weights. */
  pretrainedUpTo?: number;
  /** Narrows the generic cut points (e.g. to block outputs); 'features' is always kept. */
  keepCut?: (name: string) => boolean;
}

/**
 * Turns any single-input image LayersModel into a {@link Backbone}: input → features (the layers above
 * `featuresLayer` dropped; a GlobalAveragePooling2D named 'features' added when the features are a feature
 * map). Layers are shared with `model`, not copied.
 *
 * @example
 * ```ts
 * const backbone = backboneFromModel(mnistCnn, {
 *   name: 'mnist_cnn', featuresLayer: 'flatten', preprocessing: { scale: 1 / 255, offset: 0 }, inputSize: 28,
 * });
 * ```
 */
export function backboneFromModel(model: tf.LayersModel, meta: BackboneMeta): Backbone {
  if (model.inputs.length !== 1) throw new InvalidModelError('a backbone needs exactly one input');
  const input = model.inputs[0]!;
  const shape = input.shape;
  if (shape.length !== 4)
    throw new InvalidModelError(`a backbone input must be [batch, h, w, c], got ${shape}`);
  if (!Number.isInteger(meta.inputSize) || meta.inputSize <= 0) {
    throw new UnsupportedInputSizeError(meta.inputSize, 'must be a positive integer');
  }
  if (
    (shape[1] !== null && shape[1] !== meta.inputSize) ||
    (shape[2] !== null && shape[2] !== meta.inputSize)
  ) {
    throw new UnsupportedInputSizeError(meta.inputSize, `the model's input is ${shape[1]}×${shape[2]}`);
  }
  const channels = shape[3];
  if (channels === null || channels === undefined)
    throw new InvalidModelError('the input channel count is unknown');

  let features: tf.SymbolicTensor;
  let featuresLayer: string;
  if (meta.featuresLayer) {
    const node = modelGraph(model).nodes.find((n) => n.layer.name === meta.featuresLayer);
    if (!node) throw new InvalidModelError(`features layer '${meta.featuresLayer}' is not in the model`);
    if (node.outputs.length !== 1)
      throw new InvalidModelError(`features layer '${meta.featuresLayer}' has several outputs`);
    features = node.outputs[0]!;
    featuresLayer = meta.featuresLayer;
  } else {
    if (model.outputs.length !== 1)
      throw new InvalidModelError('model has several outputs: name a featuresLayer');
    features = model.outputs[0]!;
    featuresLayer = features.sourceLayer.name;
  }
  if (features.shape.length === 4) {
    const taken = new Set(model.layers.map((l) => l.name));
    const name = taken.has('features') ? 'features_pool' : 'features';
    features = tf.layers.globalAveragePooling2d({ name }).apply(features) as tf.SymbolicTensor;
  } else if (features.shape.length !== 2) {
    throw new InvalidModelError(`features must be rank 2 or 4 (got shape ${features.shape})`);
  }
  const reduced =
    model.outputs.length === 1 && model.outputs[0] === features
      ? model
      : tf.model({ inputs: input, outputs: features, name: `${meta.name}_backbone` });
  return {
    id: `${meta.name}-${meta.inputSize}`,
    name: meta.name,
    model: reduced,
    inputSize: meta.inputSize,
    inputChannels: channels,
    preprocessing: meta.preprocessing,
    cuts: computeCuts(reduced, { pretrainedUpTo: meta.pretrainedUpTo, keep: meta.keepCut }),
    ...(meta.pretrainedUpTo !== undefined ? { pretrainedUpTo: meta.pretrainedUpTo } : {}),
    featuresLayer,
  };
}
