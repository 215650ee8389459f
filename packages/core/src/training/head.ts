import { tf } from '@graft/runtime';
import { InvalidTrainingOptionsError } from './errors.js';

/**
 * Shape of a classification head.
 *
 * @example
 * ```ts
 * const spec: HeadSpec = { inputShape: [1280], numClasses: 3, hidden: 128, dropout: 0.2, seed: 1 };
 * ```
 */
export interface HeadSpec {
  /** Input shape without the batch dimension (e.g. `[1280]`). */
  inputShape: number[];
  numClasses: number;
  /** Hidden dense units with ReLU (0 = none). */
  hidden?: number;
  /** Dropout rate before the output layer (0 = none). */
  dropout?: number;
  /** For `[h, w, c]` inputs: global average pooling instead of flattening. */
  pool?: boolean;
  seed?: number;
}

/**
 * Prefix of every head layer name: the bundle finds the head by it.
 *
 * @example
 * ```ts
 * model.layers.filter((l) => l.name.startsWith(HEAD_PREFIX)); // the head's layers
 * ```
 */
export const HEAD_PREFIX = 'graft_head_';

/**
 * Builds a new classification head: `[flatten | global average pool] → [dense(hidden, relu)] → [dropout] → dense(classes, softmax)`.
 * Layer names start with {@link HEAD_PREFIX}; kernels use seeded Glorot-uniform initialisers.
 *
 * @example
 * ```ts
 * const head = buildHead({ inputShape: [1280], numClasses: 5, hidden: 128, dropout: 0.2, seed: 1 });
 * head.predict(tf.zeros([1, 1280])); // [1, 5] probabilities
 * ```
 */
export function buildHead(spec: HeadSpec): tf.LayersModel {
  const hidden = spec.hidden ?? 0;
  const dropout = spec.dropout ?? 0;
  if (!Number.isInteger(hidden) || hidden < 0)
    throw new InvalidTrainingOptionsError('head.hidden must be an integer ≥ 0');
  if (!(dropout >= 0 && dropout < 1)) throw new InvalidTrainingOptionsError('head.dropout must be in [0, 1)');
  if (!Number.isInteger(spec.numClasses) || spec.numClasses < 2)
    throw new InvalidTrainingOptionsError('a classifier needs at least 2 classes');
  const seed = spec.seed;
  const init = (offset: number) =>
    tf.initializers.glorotUniform(seed === undefined ? {} : { seed: seed + offset });
  const input = tf.input({ shape: spec.inputShape, name: `${HEAD_PREFIX}input` });
  let y: tf.SymbolicTensor = input;
  if (spec.inputShape.length > 1)
    y = (
      spec.pool
        ? tf.layers.globalAveragePooling2d({ name: `${HEAD_PREFIX}pool` })
        : tf.layers.flatten({ name: `${HEAD_PREFIX}flatten` })
    ).apply(y) as tf.SymbolicTensor;
  if (hidden > 0) {
    y = tf.layers
      .dense({ units: hidden, activation: 'relu', kernelInitializer: init(1), name: `${HEAD_PREFIX}hidden` })
      .apply(y) as tf.SymbolicTensor;
  }
  if (dropout > 0)
    y = tf.layers.dropout({ rate: dropout, name: `${HEAD_PREFIX}dropout` }).apply(y) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({
      units: spec.numClasses,
      activation: 'softmax',
      kernelInitializer: init(2),
      name: `${HEAD_PREFIX}probs`,
    })
    .apply(y) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'graft_head' });
}

/**
 * Re-applies the layers of `head` (skipping its input layer) on top of a symbolic tensor, so the result is one
 * flat functional graph that shares the head's weights.
 *
 * @example
 * ```ts
 * const probs = applyHead(head, backbone.model.outputs[0]);
 * const full = tf.model({ inputs: backbone.model.inputs, outputs: probs });
 * ```
 */
export function applyHead(head: tf.LayersModel, x: tf.SymbolicTensor): tf.SymbolicTensor {
  let y = x;
  for (const layer of head.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    y = layer.apply(y) as tf.SymbolicTensor;
  }
  return y;
}
