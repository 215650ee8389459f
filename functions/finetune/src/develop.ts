import { type ArchitectureName, recordSourceStatistics, type SourceStatistics } from '@graft/core';
import type { ProcessDeps } from '@graft/extraction';
import type { ProgressReporter, TrainingOptions } from '@graft/jobs';
import type { tf } from '@graft/runtime';
import type { DatasetIndex, Upload } from './dataset-index.js';
import { countsPerLabel, type Decision } from './decide.js';
import { JobError } from './errors.js';
import { decodeSplits } from './prepare-images.js';
import type { Trained } from './race.js';
import type { WeightScope } from './scopes.js';
import type { Splits } from './splits.js';
import { trainOptionsFor } from './strategy-defaults.js';
import { trainPrepared } from './trained-candidate.js';

/** Input size and preprocessing of each architecture Graft can develop (what its published recipe uses). */
const ARCHITECTURES: Record<
  ArchitectureName,
  { inputSize: number; preprocessing: { scale: number; offset: number } }
> = {
  'mnist-cnn': { inputSize: 28, preprocessing: { scale: 1 / 255, offset: 0 } },
  mobilenet_v2: { inputSize: 96, preprocessing: { scale: 1 / 127.5, offset: -1 } },
};

/**
 * Below this median of training images per class a developed source rarely transfers (the published sources are
 * trained on thousands per class): the job still runs, and says so.
 */
export const DEVELOP_MIN_PER_CLASS = 100;

/** What {@link developSource} trains. */
export interface DevelopArgs {
  options?: TrainingOptions;
  index: DatasetIndex;
  splits: Splits;
  extractDeps: ProcessDeps;
  progress: ProgressReporter;
  toLabels: (uploads: Upload[]) => number[];
  weights: WeightScope;
}

/**
 * "Develop a source model" as a job: trains an architecture from scratch on the data set's images (decoded at the
 * architecture's input size), and records the source statistics — how the source's own training images look inside
 * the developed network — that the similarity measure compares later data sets with once it is registered as a
 * backbone.
 *
 * @example
 * ```ts
 * const { trained, sourceStats, warnings } = await developSource({ options, index, splits, extractDeps, progress,
 *   toLabels, weights });
 * ```
 */
export async function developSource(
  args: DevelopArgs,
): Promise<{ trained: Trained; sourceStats: SourceStatistics; warnings: string[] }> {
  const { options, index, splits, extractDeps, progress, toLabels, weights } = args;
  const architecture = options?.architecture ?? 'mnist-cnn';
  const recipe = ARCHITECTURES[architecture];
  if (!recipe) throw new JobError('invalid_options', `unknown architecture '${architecture}'`);
  const inputSize = options?.inputSize ?? recipe.inputSize;
  const input = { inputSize, preprocessing: recipe.preprocessing };
  const decoded = await decodeSplits({ input, splits, extractDeps, progress });
  try {
    const decision: Decision = {
      strategy: 'develop',
      explanation: `Develop a source model: ${architecture} trained from scratch at ${inputSize} px on ${decoded.train.uploads.length} images, to register as a backbone.`,
    };
    const prepared = {
      ...decoded,
      input: {
        strategy: 'develop' as const,
        architecture,
        images: decoded.train.x as tf.Tensor4D,
        preprocessing: recipe.preprocessing,
      },
    };
    const trained = await trainPrepared({
      decision,
      backbone: undefined,
      prepared,
      options: trainOptionsFor(decision, options),
      labels: index.labels,
      toLabels,
      progress,
      weights,
    });
    const developed = trained.backbone;
    weights.add(developed.model);
    progress.set({ phase: 'evaluate', fraction: 0.91, message: 'recording the source statistics' });
    const sourceStats = await recordSourceStatistics(developed, decoded.train.x as tf.Tensor4D);
    const counts = Object.values(countsPerLabel(decoded.train.uploads, index.labels)).sort((a, b) => a - b);
    const median = counts[Math.floor(counts.length / 2)] ?? 0;
    const warnings =
      median < DEVELOP_MIN_PER_CLASS
        ? [
            `only ${median} training images per class (median): a source developed from fewer than ${DEVELOP_MIN_PER_CLASS} per class rarely transfers; develop on a larger related data set`,
          ]
        : [];
    return { trained, sourceStats, warnings };
  } catch (error) {
    decoded.dispose();
    throw error;
  }
}
