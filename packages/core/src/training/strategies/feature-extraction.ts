import { InvalidTrainingInputError } from '../errors.js';
import type { ResolvedOptions } from '../prepare.js';
import type { FeatureExtractionInput, ProgressEvent, TrainOptions } from '../types.js';
import { trainPooledHead } from './pooled-head.js';
import type { StrategyOutput } from './strategy-output.js';

/**
 * Scenario 1: trains a new head over cached features (the frozen backbone's output; `[n, h, w, c]` activations
 * are global-average-pooled), each feature standardised with the training statistics (`options.standardize`).
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
  if (input.features.rank !== 2 && input.features.rank !== 4)
    throw new InvalidTrainingInputError(
      `features must be [n, d] or [n, h, w, c], got [${input.features.shape}]`,
    );
  const { head, loop } = await trainPooledHead(
    {
      x: input.features,
      labels: input.labels,
      numClasses: input.classNames.length,
      standardize: options.standardize ?? true,
    },
    options,
    r,
    onProgress,
  );
  return { ...loop, model: head, head };
}
