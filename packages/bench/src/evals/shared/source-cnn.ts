import { type ProgressEvent, type TrainResult, train } from '@graft/core';
import type { GraySplit } from './gray-images.js';

/** Options of {@link trainCnn}. */
export interface TrainCnnOptions {
  epochs?: number;
  seed?: number;
  /** Filters of each conv layer (Keras' example: 32). */
  filters?: number;
  batchSize?: number;
  /** Shift/zoom augmentation (default 0.1 each, as Keras' example; `false` for none). */
  augmentation?: { shift?: number; zoom?: number } | false;
}

/**
 * Trains Keras' MNIST-transfer CNN (2× conv 3×3, max-pool, dropout, dense 128, dropout, softmax) from scratch with
 * strategy `develop`: early stopping on a 10 % validation split. Used for source models and no-transfer baselines.
 * The caller disposes `result.model` and `result.backbone.model`.
 *
 * @example
 * ```ts
 * const developed = await trainCnn({ x, labels }, ['0', '1', '2', '3', '4'], { epochs: 12 });
 * const backbone = developed.backbone!; // input → flatten features
 * ```
 */
export function trainCnn(
  data: GraySplit,
  classNames: string[],
  options: TrainCnnOptions = {},
  onEpoch?: (e: ProgressEvent) => void,
): Promise<TrainResult> {
  const augmentation =
    options.augmentation === false ? undefined : (options.augmentation ?? { shift: 0.1, zoom: 0.1 });
  return train(
    {
      strategy: 'develop',
      architecture: 'mnist-cnn',
      images: data.x,
      labels: data.labels,
      classNames,
      ...(options.filters ? { architectureOptions: { filters: options.filters } } : {}),
    },
    {
      epochs: options.epochs ?? 12,
      batchSize: options.batchSize ?? 64,
      learningRate: 1e-3,
      seed: options.seed ?? 1,
      validation: 0.1,
      earlyStopping: { patience: 3 },
      ...(augmentation ? { augmentation } : {}),
    },
    (e) => {
      if (e.type === 'epoch') onEpoch?.(e);
    },
  );
}
