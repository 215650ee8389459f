import { UnknownStrategyError } from './errors.js';
import { resolveOptions } from './prepare.js';
import { trainDevelop } from './strategies/develop.js';
import { trainFeatureExtraction } from './strategies/feature-extraction.js';
import { trainFineTune } from './strategies/fine-tune.js';
import { trainFreezeK } from './strategies/freeze-k.js';
import { trainScratch } from './strategies/scratch.js';
import type { StrategyOutput } from './strategies/strategy-output.js';
import type { ProgressEvent, TrainInput, TrainOptions, TrainResult } from './types.js';

/**
 * Trains with one of the five strategies (`input.strategy`): `feature-extraction`, `freeze-k`, `scratch`,
 * `fine-tune` or `develop`. One custom loop runs them all (seeded shuffles and splits, class weights, per-batch
 * augmentation from images, early stopping restoring the best weights, progress per batch and per epoch).
 * The caller owns the returned models; no other tensors outlive the call.
 *
 * @example
 * ```ts
 * const result = await train(
 *   { strategy: 'feature-extraction', features, labels, classNames: ['cat', 'dog'] },
 *   { epochs: 20, learningRate: 1e-3, validation: 0.2, earlyStopping: { patience: 3 }, seed: 1 },
 *   (e) => e.type === 'epoch' && console.log(e.epoch, e.loss, e.valAcc),
 * );
 * result.model.predict(features);
 * ```
 */
export async function train(
  input: TrainInput,
  options: TrainOptions = {},
  onProgress?: (e: ProgressEvent) => void,
): Promise<TrainResult> {
  const r = resolveOptions(options);
  const started = performance.now();
  let out: StrategyOutput;
  switch (input.strategy) {
    case 'feature-extraction':
      out = await trainFeatureExtraction(input, options, r, onProgress);
      break;
    case 'freeze-k':
      out = await trainFreezeK(input, options, r, onProgress);
      break;
    case 'scratch':
      out = await trainScratch(input, options, r, onProgress);
      break;
    case 'fine-tune':
      out = await trainFineTune(input, options, r, onProgress);
      break;
    case 'develop':
      out = await trainDevelop(input, options, r, onProgress);
      break;
    default:
      throw new UnknownStrategyError(
        'unknown_strategy',
        `unknown strategy "${String((input as { strategy: unknown }).strategy)}"`,
      );
  }
  const hyperparameters: Record<string, unknown> = {
    ...r,
    ...(options.earlyStopping ? { earlyStopping: options.earlyStopping } : {}),
    ...(options.classWeights ? { classWeights: options.classWeights } : {}),
    ...(options.augmentation ? { augmentation: options.augmentation } : {}),
    ...(typeof options.validation === 'number' ? { validation: options.validation } : {}),
    ...('cut' in input ? { cut: input.cut } : {}),
    ...('upper' in input && input.upper ? { upper: input.upper } : {}),
  };
  return {
    ...out,
    strategy: input.strategy,
    seconds: (performance.now() - started) / 1000,
    hyperparameters,
  };
}
