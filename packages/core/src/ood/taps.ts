/**
 * What the out-of-distribution scores read from a classifier: the pooled features the head reads (the layer
 * before the head) and the logits (the head's last dense layer before its softmax).
 */
import { tf } from '@graft/runtime';
import { modelGraph } from '../backbone/graph.js';
import { InvalidBundleError } from '../training/errors.js';
import { HEAD_PREFIX } from '../training/head.js';
import type { Matrix } from './types.js';

/**
 * Features and logits of one batch, as tensors (the caller disposes them).
 *
 * @example
 * ```ts
 * const { features, logits } = taps.predict(batch);
 * ```
 */
export interface OodTaps {
  predict(x: tf.Tensor): { features: tf.Tensor2D; logits: tf.Tensor2D };
  dispose(): void;
}

/**
 * Taps a classifier whose head layers are named `graft_head_*` (every Graft strategy builds one): a model from the
 * classifier's inputs to the head's input (global-average pooled when it is a feature map) and the input of the
 * last head layer, whose dense weights turn it into logits. Shares the classifier's weights.
 *
 * @example
 * ```ts
 * const taps = oodTaps(result.model);
 * const { features, logits } = taps.predict(x);
 * taps.dispose(); // the tap model only; the classifier keeps its weights
 * ```
 */
export function oodTaps(model: tf.LayersModel): OodTaps {
  const nodes = modelGraph(model).nodes.filter(
    (n) => n.layer.name.startsWith(HEAD_PREFIX) && n.layer.getClassName() !== 'InputLayer',
  );
  const first = nodes[0];
  const last = nodes.at(-1);
  const featuresIn = first?.inputs[0];
  const lastIn = last?.inputs[0];
  if (!first || !last || !featuresIn || !lastIn)
    throw new InvalidBundleError(`no '${HEAD_PREFIX}*' head layers in the model`);
  const [kernel, bias] = last.layer.getWeights() as [tf.Tensor2D, tf.Tensor1D | undefined];
  const tapped = tf.model({ inputs: model.inputs, outputs: [featuresIn, lastIn] });
  return {
    predict(x) {
      return tf.tidy(() => {
        const [f, h] = tapped.predict(x) as [tf.Tensor, tf.Tensor2D];
        const features = (f.rank === 4 ? tf.mean(f, [1, 2]) : f.reshape([f.shape[0]!, -1])) as tf.Tensor2D;
        const z = tf.matMul(h, kernel);
        return { features, logits: (bias ? tf.add(z, bias) : z) as tf.Tensor2D };
      });
    },
    dispose() {
      // The tap model owns no weights of its own: only drop the reference.
    },
  };
}

/**
 * A 2-D tensor's values as a {@link Matrix}.
 *
 * @example
 * ```ts
 * const features = toMatrix(await tensor.data() as Float32Array, tensor.shape);
 * ```
 */
export function toMatrix(data: Float32Array, shape: readonly number[]): Matrix {
  return { rows: shape[0]!, cols: shape[1] ?? 1, data };
}
