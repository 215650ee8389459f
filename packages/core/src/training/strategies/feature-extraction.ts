import { InvalidTrainingInputError } from '../errors.js';
import { buildHead } from '../head.js';
import { runTrainingLoop } from '../loop.js';
import { prepareData, type ResolvedOptions } from '../prepare.js';
import type { FeatureExtractionInput, ProgressEvent, TrainOptions } from '../types.js';
import type { StrategyOutput } from './strategy-output.js';

/**
 * Scenario 1: trains a new head over cached features (the frozen backbone's output).
 *
 * @example
 * ```ts
 * const out = await trainFeatureExtraction({ strategy: 'feature-extraction', features, labels, classNames },
 *   options, resolveOptions(options));
 * ```
 */
export async function trainFeatureExtraction(
  input: FeatureExtractionInput,
  options: TrainOptions,
  r: ResolvedOptions,
  onProgress?: (e: ProgressEvent) => void,
): Promise<StrategyOutput> {
  if (input.features.rank < 2)
    throw new InvalidTrainingInputError(`features must be [n, ...shape], got [${input.features.shape}]`);
  const { data, owned } = prepareData(
    input.features,
    input.labels,
    input.classNames.length,
    options,
    r.seed,
    onProgress,
  );
  const head = buildHead({
    inputShape: input.features.shape.slice(1),
    numClasses: input.classNames.length,
    ...r.head,
    seed: r.seed,
  });
  try {
    const loop = await runTrainingLoop({
      ...data,
      base: null,
      baseTraining: false,
      baseLrScale: 0,
      head,
      optimizer: r.optimizer,
      learningRate: r.learningRate,
      epochs: r.epochs,
      batchSize: r.batchSize,
      ...(options.earlyStopping ? { earlyStopping: { minDelta: 0, ...options.earlyStopping } } : {}),
    });
    return { ...loop, model: head, head };
  } catch (e) {
    head.dispose();
    throw e;
  } finally {
    for (const t of owned) t.dispose();
  }
}
