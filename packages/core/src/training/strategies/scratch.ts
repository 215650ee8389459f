import { reinitializeModel } from '../../backbone/index.js';
import type { ResolvedOptions } from '../prepare.js';
import type { ProgressEvent, ScratchInput, TrainOptions } from '../types.js';
import { composeWithHead } from './compose.js';
import type { StrategyOutput } from './strategy-output.js';
import { trainWithBase } from './train-with-base.js';

/**
 * Scenario 3: the backbone's architecture with fresh weights, trained end to end on images (BatchNormalization
 * in training mode, one learning rate). The caller's backbone is not touched.
 *
 * @example
 * ```ts
 * const out = await trainScratch({ strategy: 'scratch', backbone, images, labels, classNames }, options, resolved);
 * out.model.predict(images); // image → probabilities
 * ```
 */
export async function trainScratch(
  input: ScratchInput,
  options: TrainOptions,
  r: ResolvedOptions,
  onProgress?: (e: ProgressEvent) => void,
): Promise<StrategyOutput> {
  const base = reinitializeModel(input.backbone.model);
  try {
    const { head, loop } = await trainWithBase(
      {
        base,
        baseTraining: true,
        baseLrScale: 1,
        x: input.images,
        labels: input.labels,
        numClasses: input.classNames.length,
        images: true,
      },
      options,
      r,
      onProgress,
    );
    const model = composeWithHead(base, head);
    return { ...loop, model, head, inference: model };
  } catch (e) {
    base.dispose();
    throw e;
  }
}
