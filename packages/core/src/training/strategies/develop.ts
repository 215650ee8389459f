import { backboneFromModel } from '../../backbone/index.js';
import { InvalidTrainingInputError } from '../errors.js';
import type { ResolvedOptions } from '../prepare.js';
import type { DevelopInput, ProgressEvent, TrainOptions } from '../types.js';
import { buildArchitecture } from './architectures.js';
import { composeWithHead } from './compose.js';
import type { StrategyOutput } from './strategy-output.js';
import { trainWithBase } from './train-with-base.js';

/**
 * "Develop a source model": trains a named architecture (with its published classifier) from scratch on a
 * source data set and returns it as a {@link Backbone} (classifier removed) ready for transfer.
 *
 * @example
 * ```ts
 * const out = await trainDevelop({ strategy: 'develop', architecture: 'mnist-cnn', images, labels,
 *   classNames: ['0', '1', '2', '3', '4'] }, { epochs: 2 }, resolveOptions({ epochs: 2 }));
 * out.backbone!.model; // input → flatten features
 * ```
 */
export async function trainDevelop(
  input: DevelopInput,
  options: TrainOptions,
  r: ResolvedOptions,
  onProgress?: (e: ProgressEvent) => void,
): Promise<StrategyOutput> {
  const [, h, w, c] = input.images.shape;
  if (h !== w) throw new InvalidTrainingInputError(`develop needs square images, got ${h}×${w}`);
  const arch = await buildArchitecture(input.architecture, {
    inputSize: h,
    channels: c,
    ...input.architectureOptions,
    seed: r.seed,
  });
  try {
    const { head, loop } = await trainWithBase(
      {
        base: arch.model,
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
      options.head ? r.head : arch.head,
    );
    const model = composeWithHead(
      arch.model,
      head,
      `${input.architecture.replace(/[^a-z0-9]/gi, '_')}_source`,
    );
    const backbone = backboneFromModel(arch.model, {
      name: input.architecture,
      ...(arch.featuresLayer ? { featuresLayer: arch.featuresLayer } : {}),
      preprocessing: input.preprocessing ?? { scale: 1 / 255, offset: 0 },
      inputSize: h,
    });
    return { ...loop, model, head, inference: model, backbone };
  } catch (e) {
    arch.model.dispose();
    throw e;
  }
}
