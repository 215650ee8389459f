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
  // Without hidden layers the head's input is also its last layer's input: one output serves both.
  const same = featuresIn === lastIn;
  const tapped = tf.model({ inputs: model.inputs, outputs: same ? [featuresIn] : [featuresIn, lastIn] });
  return {
    predict(x) {
      return tf.tidy(() => {
        const outputs = tapped.predict(x);
        const [f, h] = (same ? [outputs, outputs] : outputs) as [tf.Tensor, tf.Tensor2D];
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

/**
 * Features and logits of every row of `x`, in batches, as {@link Matrix} values (no tensor outlives the call).
 *
 * @example
 * ```ts
 * const { features, logits } = await tapAll(oodTaps(model), prepared.train.x, 64);
 * ```
 */
export async function tapAll(
  taps: OodTaps,
  x: tf.Tensor,
  batchSize = 64,
): Promise<{ features: Matrix; logits: Matrix }> {
  const n = x.shape[0] ?? 0;
  const features: Float32Array[] = [];
  const logits: Float32Array[] = [];
  let dims = [0, 0];
  for (let start = 0; start < n; start += batchSize) {
    const slice = tf.slice(x, start, Math.min(batchSize, n - start));
    const out = taps.predict(slice);
    try {
      features.push((await out.features.data()) as Float32Array);
      logits.push((await out.logits.data()) as Float32Array);
      dims = [out.features.shape[1], out.logits.shape[1]];
    } finally {
      tf.dispose([slice, out.features, out.logits]);
    }
  }
  const join = (parts: Float32Array[], cols: number): Matrix => {
    const data = new Float32Array(n * cols);
    let at = 0;
    for (const p of parts) {
      data.set(p, at);
      at += p.length;
    }
    return { rows: n, cols, data };
  };
  return { features: join(features, dims[0]!), logits: join(logits, dims[1]!) };
}
