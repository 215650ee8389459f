import type { tf } from '@graft/runtime';
import { InvalidTrainingInputError } from '../errors.js';
import { buildHead } from '../head.js';
import { type LoopResult, loopEarlyStopping, loopReduceLearningRate, runTrainingLoop } from '../loop.js';
import { prepareData, type ResolvedOptions } from '../prepare.js';
import type { Labels, ProgressEvent, TrainOptions } from '../types.js';
import { outputShape } from './compose.js';

/**
 * A base model (trained or fine-tuned) under a new head.
 *
 * @example
 * ```ts
 * const run: BaseRun = { base: upper, baseTraining: false, baseLrScale: 0.1, x: acts, labels, numClasses: 3, images: false };
 * ```
 */
export interface BaseRun {
  base: tf.LayersModel;
  /**
   * BatchNormalization in training mode (scratch) or inference mode (fine-tuning pretrained layers; each
   * pretrained kernel's step is then also bounded relative to its size, see `PRETRAINED_STEP_FRACTION`).
   */
  baseTraining: boolean;
  baseLrScale: number;
  x: tf.Tensor;
  labels: Labels;
  numClasses: number;
  /** Augment batches (only meaningful when `x` holds images). */
  images: boolean;
  /** Maps caller data (e.g. images) into the base's input (e.g. trunk activations). */
  transform?: (x: tf.Tensor) => tf.Tensor;
}

/**
 * Trains `base` + a new head with the shared loop; disposes every intermediate tensor.
 *
 * @example
 * ```ts
 * const { head, loop } = await trainWithBase({ base: upper, baseTraining: false, baseLrScale: 0.1, x: acts,
 *   labels, numClasses: 3, images: false }, options, resolved);
 * ```
 */
export async function trainWithBase(
  run: BaseRun,
  options: TrainOptions,
  r: ResolvedOptions,
  onProgress?: (e: ProgressEvent) => void,
  headOverride?: { hidden: number; dropout: number },
): Promise<{ head: tf.LayersModel; loop: LoopResult }> {
  const expected = run.base.inputs[0]!.shape.slice(1);
  const probe = run.transform ? null : run.x.shape.slice(1);
  if (probe && (probe.length !== expected.length || expected.some((d, i) => d !== null && d !== probe[i])))
    throw new InvalidTrainingInputError(
      `data has shape [${run.x.shape}] but the model expects [n,${expected}]`,
    );
  const { data, owned } = prepareData(
    run.x,
    run.labels,
    run.numClasses,
    options,
    r.seed,
    onProgress,
    run.transform,
  );
  const head = buildHead({
    inputShape: outputShape(run.base),
    numClasses: run.numClasses,
    ...(headOverride ?? r.head),
    seed: r.seed,
  });
  try {
    const loop = await runTrainingLoop({
      ...data,
      base: run.base,
      baseTraining: run.baseTraining,
      baseLrScale: run.baseLrScale,
      basePretrained: !run.baseTraining,
      head,
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
      ...(run.images && options.augmentation ? { augmentation: options.augmentation } : {}),
    });
    return { head, loop };
  } catch (e) {
    head.dispose();
    throw e;
  } finally {
    for (const t of owned) t.dispose();
  }
}
