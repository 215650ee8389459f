import { tf } from '@graft/runtime';
import { type AugmentationOptions, augmentBatch } from './augment.js';
import { weightedCrossEntropy } from './loss.js';
import { createOptimizer, learningRateOf, scaleLearningRate } from './optimizer.js';
import { pretrainedLearningRates } from './pretrained-rates.js';
import { shuffledIndices } from './random.js';
import { seedDropoutMasks } from './seeded-dropout.js';
import type {
  EarlyStopping,
  EarlyStoppingMonitor,
  EpochMetrics,
  ProgressEvent,
  ReduceLearningRate,
} from './types.js';
import { snapshotWeights, uniqueWeights, type WeightsSnapshot } from './weights-snapshot.js';

/**
 * A fully resolved training run for {@link runTrainingLoop}.
 *
 * @example
 * ```ts
 * await runTrainingLoop({ ...spec, epochs: 5 } satisfies LoopSpec);
 * ```
 */
export interface LoopSpec {
  /** Layers applied before the head (upper part, or the whole backbone); `null` for a head alone. */
  base: tf.LayersModel | null;
  /** Run the base in training mode (BatchNormalization uses batch statistics and updates its moving ones). */
  baseTraining: boolean;
  /** Learning-rate factor of the base weights (0 = frozen). */
  baseLrScale: number;
  /**
   * The base holds pretrained weights: bound each kernel's step relative to its size (see
   * `PRETRAINED_STEP_FRACTION`). Off for a base trained from its initialisation.
   */
  basePretrained?: boolean;
  head: tf.LayersModel;
  x: tf.Tensor;
  labels: Int32Array;
  numClasses: number;
  val?: { x: tf.Tensor; labels: Int32Array };
  optimizer: 'adam' | 'sgd' | 'rmsprop';
  learningRate: number;
  epochs: number;
  batchSize: number;
  classWeights: number[];
  /** See `TrainOptions.earlyStopping`: `monitor` is resolved by the caller. */
  earlyStopping?: { patience: number; minDelta: number; monitor: EarlyStoppingMonitor };
  /** See `TrainOptions.reduceLearningRate` (`factor` resolved by the caller). */
  reduceLearningRate?: { patience: number; factor: number };
  /** Stop after the epoch in which this many seconds have passed (best weights kept as with early stopping). */
  timeLimitSeconds?: number;
  augmentation?: AugmentationOptions;
  rand: () => number;
  /** Seeds the dropout masks, a fresh one per batch (see {@link seedDropoutMasks}); unseeded without it. */
  dropoutSeed?: number;
  onProgress?: (e: ProgressEvent) => void;
}

/**
 * What the loop learnt.
 *
 * @example
 * ```ts
 * const { history, bestEpoch }: LoopResult = await runTrainingLoop(spec);
 * ```
 */
export interface LoopResult {
  history: EpochMetrics[];
  bestEpoch: number;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The custom training loop behind every strategy: seeded shuffles (and dropout masks), per-batch augmentation, class-weighted
 * cross-entropy, `tf.variableGrads` with one optimizer for the head and one per learning rate for the base (scaled
 * by `baseLrScale`; a pretrained kernel's step bounded relative to its size, see `pretrainedLearningRates`),
 * validation each epoch, an optional plateau schedule of the learning rate, early stopping with best-weight restore
 * (by validation loss, or by validation accuracy with ties to the lower loss: {@link improves}).
 * Allocates no tensors that outlive it.
 *
 * @example
 * ```ts
 * const { history } = await runTrainingLoop({ base: null, baseTraining: false, baseLrScale: 0, head, x, labels,
 *   numClasses: 3, optimizer: 'adam', learningRate: 1e-3, epochs: 5, batchSize: 32, classWeights: [1, 1, 1],
 *   rand: seededRandom(1) });
 * ```
 */
export async function runTrainingLoop(spec: LoopSpec): Promise<LoopResult> {
  const n = spec.labels.length;
  const batches = Math.ceil(n / spec.batchSize);
  const headVars = new Set(spec.head.trainableWeights.map((w) => (w.read() as tf.Variable).name));
  const trainable = uniqueWeights(spec.baseLrScale > 0 ? [spec.base, spec.head] : [spec.head], true);
  const varList = trainable.map((w) => w.read() as tf.Variable);
  const headOpt = createOptimizer(spec.optimizer, spec.learningRate);
  const baseOpts = await baseOptimizers(
    spec,
    varList.filter((v) => !headVars.has(v.name)),
  );
  const weightsTensor = tf.tensor1d(spec.classWeights);
  const allWeights = uniqueWeights([spec.base, spec.head]);
  const history: EpochMetrics[] = [];
  let best: WeightsSnapshot | undefined;
  let bestMetrics: EpochMetrics | undefined;
  let bestEpoch = -1;
  let sinceBest = 0;

  const forward = (x: tf.Tensor, training: boolean) => {
    const h = spec.base ? (spec.base.apply(x, { training: training && spec.baseTraining }) as tf.Tensor) : x;
    return spec.head.apply(h, { training }) as tf.Tensor;
  };

  const masks =
    spec.dropoutSeed === undefined ? undefined : seedDropoutMasks([spec.base, spec.head], spec.dropoutSeed);
  const deadline =
    spec.timeLimitSeconds === undefined
      ? Number.POSITIVE_INFINITY
      : performance.now() + spec.timeLimitSeconds * 1000;
  try {
    for (let epoch = 0; epoch < spec.epochs; epoch++) {
      const order = shuffledIndices(n, spec.rand);
      let lossSum = 0;
      let correctSum = 0;
      for (let b = 0; b < batches; b++) {
        const idx = order.subarray(b * spec.batchSize, Math.min(n, (b + 1) * spec.batchSize));
        const kept: { correct?: tf.Scalar } = {};
        masks?.next();
        const { value, grads } = tf.tidy(() => {
          const indices = tf.tensor1d(idx, 'int32');
          let xb = tf.gather(spec.x, indices);
          if (spec.augmentation && xb.rank === 4)
            xb = augmentBatch(xb as tf.Tensor4D, spec.augmentation, spec.rand);
          const yb = tf.gather(tf.tensor1d(spec.labels, 'int32'), indices);
          const oneHot = tf.oneHot(yb, spec.numClasses);
          const wb = tf.gather(weightsTensor, yb) as tf.Tensor1D;
          return tf.variableGrads(() => {
            const probs = forward(xb, true);
            kept.correct = tf.keep(
              tf.sum(tf.cast(tf.equal(tf.argMax(probs, -1), yb), 'float32')) as tf.Scalar,
            );
            return weightedCrossEntropy(probs, oneHot, wb);
          }, varList);
        });
        const groups = new Map<tf.Optimizer, tf.NamedTensorMap>();
        for (const [name, g] of Object.entries(grads)) {
          const opt = headVars.has(name) ? headOpt : baseOpts.get(name);
          if (!opt) continue;
          const group = groups.get(opt) ?? {};
          group[name] = g;
          groups.set(opt, group);
        }
        for (const [opt, group] of groups) opt.applyGradients(group);
        const loss = (await value.data())[0]!;
        const acc = (await kept.correct!.data())[0]! / idx.length;
        tf.dispose([value, kept.correct!, ...Object.values(grads)]);
        lossSum += loss * idx.length;
        correctSum += acc * idx.length;
        spec.onProgress?.({
          phase: 'train',
          type: 'batch',
          epoch,
          epochs: spec.epochs,
          batch: b,
          batches,
          loss,
          acc,
        });
        await yieldToEventLoop();
      }
      const metrics: EpochMetrics = {
        loss: lossSum / n,
        acc: correctSum / n,
        learningRate: learningRateOf(headOpt),
      };
      if (spec.val) {
        const v = await evaluateLoss(forward, spec.val.x, spec.val.labels, spec.numClasses, spec.batchSize);
        metrics.valLoss = v.loss;
        metrics.valAcc = v.acc;
      }
      history.push(metrics);
      spec.onProgress?.({
        phase: 'train',
        type: 'epoch',
        epoch,
        epochs: spec.epochs,
        batch: batches,
        batches,
        loss: metrics.loss,
        acc: metrics.acc,
        ...(metrics.valLoss === undefined ? {} : { valLoss: metrics.valLoss, valAcc: metrics.valAcc }),
      });
      if (!bestMetrics || improves(metrics, bestMetrics, spec.earlyStopping)) {
        bestMetrics = metrics;
        bestEpoch = epoch;
        sinceBest = 0;
        if (spec.earlyStopping || spec.reduceLearningRate) {
          best?.dispose();
          best = snapshotWeights(allWeights);
        }
      } else {
        sinceBest++;
        if (spec.earlyStopping && sinceBest >= spec.earlyStopping.patience) break;
        const plateau = spec.reduceLearningRate;
        if (plateau && sinceBest % plateau.patience === 0) {
          // On from the best epoch, with smaller steps (optimizer moments carry on).
          for (const opt of new Set([headOpt, ...baseOpts.values()])) scaleLearningRate(opt, plateau.factor);
          best?.restore();
        }
      }
      if (performance.now() >= deadline) break;
    }
    if (spec.earlyStopping && best) best.restore();
    else bestEpoch = history.length - 1;
    return { history, bestEpoch };
  } finally {
    masks?.restore();
    best?.dispose();
    headOpt.dispose();
    for (const opt of new Set(baseOpts.values())) opt.dispose();
    weightsTensor.dispose();
  }
}

/**
 * `TrainOptions.earlyStopping` with its defaults filled in for {@link runTrainingLoop} (`minDelta` 0, `monitor`
 * `'loss'`); `undefined` when there is no early stopping.
 *
 * @example
 * ```ts
 * loopEarlyStopping({ patience: 3 }); // { patience: 3, minDelta: 0, monitor: 'loss' }
 * ```
 */
export function loopEarlyStopping(options: EarlyStopping | undefined): LoopSpec['earlyStopping'] {
  if (!options) return undefined;
  return {
    patience: options.patience,
    minDelta: options.minDelta ?? 0,
    monitor: options.monitor ?? 'loss',
  };
}

/**
 * `TrainOptions.reduceLearningRate` with its default factor (0.2) filled in; `undefined` when off.
 *
 * @example
 * ```ts
 * loopReduceLearningRate({ patience: 2 }); // { patience: 2, factor: 0.2 }
 * ```
 */
export function loopReduceLearningRate(
  options: ReduceLearningRate | undefined,
): LoopSpec['reduceLearningRate'] {
  return options ? { patience: options.patience, factor: options.factor ?? 0.2 } : undefined;
}

/**
 * Whether an epoch's metrics beat the best so far. With `monitor` `'accuracy'`: by validation accuracy (more than
 * `minDelta` higher, or the same accuracy at a lower validation loss); otherwise by validation loss, and by the
 * training loss when there is no validation set. Without early stopping: by validation loss (only `bestEpoch`
 * reads it).
 *
 * @example
 * ```ts
 * improves({ loss: 0.2, acc: 0.9, valLoss: 0.4, valAcc: 0.91 }, { loss: 0.3, acc: 0.88, valLoss: 0.35, valAcc: 0.9 },
 *   { patience: 3, minDelta: 0, monitor: 'accuracy' }); // true
 * ```
 */
export function improves(
  metrics: EpochMetrics,
  best: EpochMetrics,
  stopping: LoopSpec['earlyStopping'],
): boolean {
  const minDelta = stopping?.minDelta ?? 0;
  if (stopping?.monitor === 'accuracy' && metrics.valAcc !== undefined && best.valAcc !== undefined) {
    if (metrics.valAcc > best.valAcc + minDelta) return true;
    return metrics.valAcc === best.valAcc && (metrics.valLoss ?? 0) < (best.valLoss ?? 0);
  }
  return (metrics.valLoss ?? metrics.loss) < (best.valLoss ?? best.loss) - minDelta;
}

/**
 * One optimizer per distinct learning rate of the base's trainable variables, by variable name: all at
 * `learningRate · baseLrScale`, pretrained kernels bounded by {@link pretrainedLearningRates}.
 */
async function baseOptimizers(spec: LoopSpec, variables: tf.Variable[]): Promise<Map<string, tf.Optimizer>> {
  const byName = new Map<string, tf.Optimizer>();
  if (!spec.base || spec.baseLrScale <= 0 || variables.length === 0) return byName;
  const rate = spec.learningRate * spec.baseLrScale;
  const rates = spec.basePretrained
    ? await pretrainedLearningRates(variables, rate, spec.optimizer)
    : new Map(variables.map((v) => [v.name, rate]));
  const byRate = new Map<number, tf.Optimizer>();
  for (const [name, lr] of rates) {
    let opt = byRate.get(lr);
    if (!opt) {
      opt = createOptimizer(spec.optimizer, lr);
      byRate.set(lr, opt);
    }
    byName.set(name, opt);
  }
  return byName;
}

/**
 * Unweighted mean cross-entropy and accuracy of `forward` (inference mode) over a data set, in batches.
 *
 * @example
 * ```ts
 * const { loss, acc } = await evaluateLoss((x) => model.apply(x) as tf.Tensor, x, labels, 10, 64);
 * ```
 */
export async function evaluateLoss(
  forward: (x: tf.Tensor, training: boolean) => tf.Tensor,
  x: tf.Tensor,
  labels: Int32Array,
  numClasses: number,
  batchSize: number,
): Promise<{ loss: number; acc: number }> {
  const n = labels.length;
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const out = tf.tidy(() => {
      const xb = tf.slice(x, start, size);
      const yb = tf.tensor1d(labels.subarray(start, start + size), 'int32');
      const probs = forward(xb, false);
      const loss = tf.mul(weightedCrossEntropy(probs, tf.oneHot(yb, numClasses)), size);
      const hits = tf.sum(tf.cast(tf.equal(tf.argMax(probs, -1), yb), 'float32'));
      return tf.stack([loss, hits]);
    });
    const [l, h] = await out.data();
    out.dispose();
    lossSum += l!;
    correct += h!;
  }
  return { loss: lossSum / n, acc: correct / n };
}
