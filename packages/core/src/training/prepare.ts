import { tf } from '@graft/runtime';
import { resolveClassWeights } from './class-weights.js';
import { InvalidTrainingInputError, InvalidTrainingOptionsError } from './errors.js';
import type { LoopSpec } from './loop.js';
import { seededRandom } from './random.js';
import { EARLY_STOPPING_MONITORS, type Labels, type ProgressEvent, type TrainOptions } from './types.js';
import { stratifiedSplit } from './validation-split.js';

/**
 * Options with every default filled in.
 *
 * @example
 * ```ts
 * const r: ResolvedOptions = resolveOptions({ epochs: 3 });
 * ```
 */
export interface ResolvedOptions {
  optimizer: 'adam' | 'sgd' | 'rmsprop';
  learningRate: number;
  pretrainedLrScale: number;
  epochs: number;
  batchSize: number;
  head: { hidden: number; dropout: number; grid: number };
  seed: number;
}

/**
 * Fills in defaults and validates hyperparameters.
 *
 * @example
 * ```ts
 * resolveOptions({ epochs: 3 }).batchSize; // 32
 * ```
 */
export function resolveOptions(options: TrainOptions): ResolvedOptions {
  const r: ResolvedOptions = {
    optimizer: options.optimizer ?? 'adam',
    learningRate: options.learningRate ?? 1e-3,
    pretrainedLrScale: options.pretrainedLrScale ?? 0.1,
    epochs: options.epochs ?? 10,
    batchSize: options.batchSize ?? 32,
    head: {
      hidden: options.head?.hidden ?? 0,
      dropout: options.head?.dropout ?? 0,
      grid: options.head?.grid ?? 1,
    },
    seed: options.seed ?? Math.floor(Math.random() * 2 ** 31),
  };
  if (!Number.isInteger(r.epochs) || r.epochs < 1)
    throw new InvalidTrainingOptionsError('epochs must be an integer ≥ 1');
  if (!Number.isInteger(r.batchSize) || r.batchSize < 1)
    throw new InvalidTrainingOptionsError('batchSize must be an integer ≥ 1');
  if (!Number.isInteger(r.head.grid) || r.head.grid < 1 || r.head.grid > 8)
    throw new InvalidTrainingOptionsError('head.grid must be an integer from 1 to 8');
  if (!(r.pretrainedLrScale >= 0)) throw new InvalidTrainingOptionsError('pretrainedLrScale must be ≥ 0');
  const es = options.earlyStopping;
  if (es && (!Number.isInteger(es.patience) || es.patience < 0))
    throw new InvalidTrainingOptionsError('earlyStopping.patience must be an integer ≥ 0');
  if (es?.monitor !== undefined && !EARLY_STOPPING_MONITORS.includes(es.monitor))
    throw new InvalidTrainingOptionsError(
      `earlyStopping.monitor must be one of ${EARLY_STOPPING_MONITORS.join(', ')}`,
    );
  const plateau = options.reduceLearningRate;
  if (plateau && (!Number.isInteger(plateau.patience) || plateau.patience < 1))
    throw new InvalidTrainingOptionsError('reduceLearningRate.patience must be an integer ≥ 1');
  if (plateau?.factor !== undefined && !(plateau.factor > 0 && plateau.factor < 1))
    throw new InvalidTrainingOptionsError('reduceLearningRate.factor must be in (0, 1)');
  const limit = options.timeLimitSeconds;
  if (limit !== undefined && !(limit >= 0 && Number.isFinite(limit)))
    throw new InvalidTrainingOptionsError('timeLimitSeconds must be a number of seconds ≥ 0');
  const v = options.validation;
  if (typeof v === 'number' && !(v > 0 && v < 1))
    throw new InvalidTrainingOptionsError('validation fraction must be in (0, 1)');
  return r;
}

/**
 * Checks labels against the data and the class count and returns them as an `Int32Array`.
 *
 * @example
 * ```ts
 * const y = checkLabels([0, 1, 1], 3, 2);
 * ```
 */
export function checkLabels(labels: Labels, n: number, numClasses: number): Int32Array {
  if (labels.length !== n)
    throw new InvalidTrainingInputError(`labels has ${labels.length} entries but data has ${n}`);
  if (n === 0) throw new InvalidTrainingInputError('no training samples');
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    if (!Number.isInteger(l) || l < 0 || l >= numClasses)
      throw new InvalidTrainingInputError(
        `label ${l} at index ${i} is not a class index in [0, ${numClasses})`,
      );
    out[i] = l;
  }
  return out;
}

/**
 * Training and validation data ready for the loop, plus tensors to dispose afterwards.
 *
 * @example
 * ```ts
 * const { data, owned }: PreparedData = prepareData(x, labels, 3, options, 1);
 * ```
 */
export interface PreparedData {
  data: Pick<LoopSpec, 'x' | 'labels' | 'val' | 'numClasses' | 'classWeights' | 'rand' | 'onProgress'>;
  owned: tf.Tensor[];
}

/**
 * Validates the data, splits off a validation fraction (stratified, seeded) or checks an explicit validation set,
 * and resolves class weights. `transform` maps data given by the caller (e.g. images → activations) and its
 * results are owned by the returned value.
 *
 * @example
 * ```ts
 * const { data, owned } = prepareData(features, labels, 3, options, resolved.seed);
 * ```
 */
export function prepareData(
  x: tf.Tensor,
  labels: Labels,
  numClasses: number,
  options: TrainOptions,
  seed: number,
  onProgress?: (e: ProgressEvent) => void,
  transform?: (x: tf.Tensor) => tf.Tensor,
): PreparedData {
  const y = checkLabels(labels, x.shape[0]!, numClasses);
  const rand = seededRandom(seed);
  const owned: tf.Tensor[] = [];
  // A transform may hand its input back unchanged (features that need no pooling): then nothing new is owned.
  const own = (t: tf.Tensor) => {
    if (!transform) return t;
    const out = transform(t);
    if (out !== t) owned.push(out);
    return out;
  };
  let trainX: tf.Tensor;
  let trainY = y;
  let val: PreparedData['data']['val'];
  const v = options.validation;
  if (typeof v === 'number') {
    const split = stratifiedSplit(y, v, rand);
    if (split.val.length === 0 || split.train.length === 0)
      throw new InvalidTrainingInputError('validation fraction leaves an empty training or validation set');
    const tx = tf.tidy(() => tf.gather(x, tf.tensor1d(split.train, 'int32')));
    const vx = tf.tidy(() => tf.gather(x, tf.tensor1d(split.val, 'int32')));
    trainX = own(tx);
    const valX = own(vx);
    for (const [gathered, used] of [
      [tx, trainX],
      [vx, valX],
    ] as const) {
      if (gathered === used) owned.push(gathered);
      else gathered.dispose();
    }
    trainY = Int32Array.from(split.train, (i) => y[i]!);
    val = { x: valX, labels: Int32Array.from(split.val, (i) => y[i]!) };
  } else {
    trainX = own(x);
    if (v) {
      if (v.x.rank !== x.rank || v.x.shape.slice(1).join() !== x.shape.slice(1).join())
        throw new InvalidTrainingInputError(
          `validation x has shape [${v.x.shape}] but training data has [${x.shape}]`,
        );
      val = { x: own(v.x), labels: checkLabels(v.labels, v.x.shape[0]!, numClasses) };
    }
  }
  const classWeights = resolveClassWeights(options.classWeights, trainY, numClasses);
  return {
    data: { x: trainX, labels: trainY, numClasses, classWeights, rand, ...(val ? { val } : {}), onProgress },
    owned,
  };
}
