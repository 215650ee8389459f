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
  /** For `[h, w, c]` inputs: average pooling (global, or over a grid of regions) instead of flattening. */
  pool?: boolean;
  /** With `pool`: average over `grid × grid` regions and flatten them (1 = global average pooling; default 1). */
  grid?: number;
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
 * Builds a new classification head: `[flatten | global average pool | grid average pool + flatten] → [dense(hidden, relu)] → [dropout] → dense(classes, softmax)`.
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
  if (spec.inputShape.length > 1) {
    const regions = spec.pool ? gridPooling(spec.inputShape, spec.grid ?? 1) : undefined;
    if (spec.pool && !regions)
      y = tf.layers.globalAveragePooling2d({ name: `${HEAD_PREFIX}pool` }).apply(y) as tf.SymbolicTensor;
    if (regions)
      y = tf.layers
        .averagePooling2d({ ...regions, padding: 'valid', name: `${HEAD_PREFIX}pool` })
        .apply(y) as tf.SymbolicTensor;
    if (!spec.pool || regions)
      y = tf.layers.flatten({ name: `${HEAD_PREFIX}flatten` }).apply(y) as tf.SymbolicTensor;
  }
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
 * The average pooling that turns `[h, w, c]` activations into a `g × g` grid of regions (g capped at h and w):
 * windows moved by ⌊h / g⌋ rows and h − (g − 1)·⌊h / g⌋ rows tall, so together they cover every row of the map,
 * overlapping where h is not a multiple of g (an 8 × 8 map: windows of 4 at 0, 2 and 4). Undefined for global average
 * pooling (g = 1, or a 1 × 1 map) and for a shape that is not a map.
 *
 * @example
 * ```ts
 * gridPooling([6, 6, 576], 3); // { poolSize: [2, 2], strides: [2, 2] }
 * gridPooling([7, 7, 1280], 3); // { poolSize: [3, 3], strides: [2, 2] }
 * ```
 */
export function gridPooling(
  shape: number[],
  grid: number,
): { poolSize: [number, number]; strides: [number, number] } | undefined {
  if (shape.length !== 3) return undefined;
  const [h, w] = shape as [number, number];
  const g = Math.min(grid, h, w);
  if (g <= 1) return undefined;
  const stride = (side: number) => Math.floor(side / g);
  const window = (side: number) => side - (g - 1) * stride(side);
  return { poolSize: [window(h), window(w)], strides: [stride(h), stride(w)] };
}

/**
 * Activations `[n, h, w, c]` pooled as a head with {@link gridPooling} pools them: `[n, c]` (global) or
 * `[n, g · g · c]` (regions side by side, in the order a Flatten layer reads them).
 *
 * @example
 * ```ts
 * const pooled = tf.tidy(() => poolActivations(activations, 3)); // [n, 9 · c]
 * ```
 */
export function poolActivations(x: tf.Tensor4D, grid: number): tf.Tensor2D {
  return tf.tidy(() => {
    const regions = gridPooling(x.shape.slice(1), grid);
    if (!regions) return tf.mean(x, [1, 2]) as tf.Tensor2D;
    const pooled = tf.avgPool(x, regions.poolSize, regions.strides, 'valid');
    return tf.reshape(pooled, [x.shape[0], -1]) as tf.Tensor2D;
  });
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
