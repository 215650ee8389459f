import { tf } from '@graft/runtime';
import { InvalidTrainingInputError } from '../errors.js';
import { buildHead, poolActivations } from '../head.js';
import { type LoopResult, loopEarlyStopping, loopReduceLearningRate, runTrainingLoop } from '../loop.js';
import { prepareData, type ResolvedOptions } from '../prepare.js';
import type { Labels, ProgressEvent, TrainOptions } from '../types.js';

/**
 * What {@link trainPooledHead} trains on and how.
 *
 * @example
 * ```ts
 * const run: PooledHeadRun = { x: activations, labels, numClasses: 10, standardize: true };
 * ```
 */
export interface PooledHeadRun {
  /**
   * `[n, d]` features, or `[n, h, w, c]` activations (pooled once, up front: globally to `[n, c]`, or over the
   * `head.grid` regions to `[n, g · g · c]`).
   */
  x: tf.Tensor;
  labels: Labels;
  numClasses: number;
  /**
   * Standardise each pooled feature with the training set's mean and standard deviation before the head (folded
   * into the head's first dense layer afterwards, so the saved head takes raw activations). Default true.
   */
  standardize?: boolean;
}

/**
 * Trains a new head over (pooled) frozen activations: the activations are pooled once, each feature is
 * standardised with the training statistics, a small dense head is trained on the vectors with the shared
 * loop, and the result is a head that takes the raw activations (`[h, w, c]` → global average pooling →
 * dense layers with the standardisation folded into the first one). Training on pooled vectors instead of
 * `[h, w, c]` maps costs one pass over the activations, and standardising lets one learning rate suit every
 * layer's scale. Measured on 100 MNIST digits per class at 96 px (pooled `block_13_expand_relu`): 0.953 test
 * accuracy standardised vs 0.923 raw.
 *
 * @example
 * ```ts
 * const { head, loop } = await trainPooledHead({ x: activations, labels, numClasses: 10 }, options, resolved);
 * head.predict(activations); // [n, 10] probabilities
 * ```
 */
export async function trainPooledHead(
  run: PooledHeadRun,
  options: TrainOptions,
  r: ResolvedOptions,
  onProgress?: (e: ProgressEvent) => void,
): Promise<{ head: tf.LayersModel; loop: LoopResult }> {
  if (run.x.rank !== 2 && run.x.rank !== 4)
    throw new InvalidTrainingInputError(`features must be [n, d] or [n, h, w, c], got [${run.x.shape}]`);
  // `[n, d]` features are used as they are (no copy: a large data set's features may fill much of the wasm heap).
  const pool = (t: tf.Tensor) => (t.rank === 4 ? poolActivations(t as tf.Tensor4D, r.head.grid) : t);
  const { data, owned } = prepareData(run.x, run.labels, run.numClasses, options, r.seed, onProgress, pool);
  const dims = data.x.shape[1]!;
  const stats = run.standardize === false ? undefined : featureStats(data.x as tf.Tensor2D);
  const scaled: tf.Tensor[] = [];
  const scale = (t: tf.Tensor) => {
    if (!stats) return t;
    const out = tf.tidy(() => tf.div(tf.sub(t, stats.mean), stats.std));
    scaled.push(out);
    return out;
  };
  const trained = buildHead({ inputShape: [dims], numClasses: run.numClasses, ...r.head, seed: r.seed });
  try {
    const loop = await runTrainingLoop({
      ...data,
      x: scale(data.x),
      ...(data.val ? { val: { ...data.val, x: scale(data.val.x) } } : {}),
      base: null,
      baseTraining: false,
      baseLrScale: 0,
      head: trained,
      optimizer: r.optimizer,
      learningRate: r.learningRate,
      epochs: r.epochs,
      batchSize: r.batchSize,
      dropoutSeed: r.seed,
      ...(options.earlyStopping ? { earlyStopping: loopEarlyStopping(options.earlyStopping) } : {}),
      ...(options.reduceLearningRate
        ? { reduceLearningRate: loopReduceLearningRate(options.reduceLearningRate) }
        : {}),
      ...(options.timeLimitSeconds === undefined ? {} : { timeLimitSeconds: options.timeLimitSeconds }),
    });
    const head = buildHead({
      inputShape: run.x.shape.slice(1),
      numClasses: run.numClasses,
      ...r.head,
      pool: true,
      seed: r.seed,
    });
    copyFolded(trained, head, stats);
    return { head, loop };
  } finally {
    trained.dispose();
    tf.dispose([...scaled, ...owned, ...(stats ? [stats.mean, stats.std] : [])]);
  }
}

/**
 * Per-feature mean and standard deviation. The deviation is floored at 1 % of the mean deviation, so that a
 * (nearly) constant feature in a small training set does not turn into a huge input on unseen images.
 */
function featureStats(x: tf.Tensor2D): { mean: tf.Tensor1D; std: tf.Tensor1D } {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, 0);
    const std = tf.sqrt(variance);
    const floor = tf.maximum(tf.mul(tf.mean(std), 0.01), 1e-6);
    return { mean: mean as tf.Tensor1D, std: tf.maximum(std, floor) as tf.Tensor1D };
  });
}

/**
 * Copies the trained head's weights into `target` layer by layer (same names); the first dense layer gets the
 * standardisation folded in: `W' = W / std`, `b' = b − (mean / std) · W`.
 */
function copyFolded(
  trained: tf.LayersModel,
  target: tf.LayersModel,
  stats?: { mean: tf.Tensor1D; std: tf.Tensor1D },
): void {
  let folded = stats === undefined;
  for (const layer of trained.layers) {
    const weights = layer.getWeights();
    if (weights.length === 0) continue;
    const into = target.getLayer(layer.name);
    if (folded || !stats) {
      into.setWeights(weights);
      continue;
    }
    const [kernel, bias] = weights as [tf.Tensor2D, tf.Tensor1D];
    const next = tf.tidy(() => {
      const k = tf.div(kernel, tf.reshape(stats.std, [-1, 1]));
      const b = tf.sub(bias, tf.squeeze(tf.matMul(tf.reshape(stats.mean, [1, -1]), k)));
      return [k, b];
    });
    into.setWeights(next);
    tf.dispose(next);
    folded = true;
  }
}
