import type { ResolvedOptions } from '../prepare.js';
import type { FineTuneInput, ProgressEvent, TrainOptions } from '../types.js';
import { composeWithHead } from './compose.js';
import type { StrategyOutput } from './strategy-output.js';
import { trainWithBase } from './train-with-base.js';

/**
 * Scenario 4: every backbone layer starts from the pretrained weights and is trained on images with the learning
 * rate scaled by `pretrainedLrScale` (BatchNormalization in inference mode), together with a new head.
 * The backbone's weights are updated in place.
 *
 * @example
 * ```ts
 * const out = await trainFineTune({ strategy: 'fine-tune', backbone, images, labels, classNames }, options, resolved);
 * ```
 */
export async function trainFineTune(
  input: FineTuneInput,
  options: TrainOptions,
  r: ResolvedOptions,
  onProgress?: (e: ProgressEvent) => void,
): Promise<StrategyOutput> {
  const { head, loop } = await trainWithBase(
    {
      base: input.backbone.model,
      baseTraining: false,
      baseLrScale: r.pretrainedLrScale,
      x: input.images,
      labels: input.labels,
      numClasses: input.classNames.length,
      images: true,
    },
    options,
    r,
    onProgress,
  );
  const model = composeWithHead(input.backbone.model, head);
  return { ...loop, model, head, inference: model };
}
