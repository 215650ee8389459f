import type { Backbone, TrainInput } from '@graft/core';
import type { ProcessDeps } from '@graft/extraction';
import type { ProgressReporter } from '@graft/jobs';
import type { tf } from '@graft/runtime';
import type { DatasetIndex, Upload } from './dataset-index.js';
import type { Decision } from './decide.js';
import type { Gathered } from './gather.js';
import type { Splits } from './splits.js';

/**
 * The usable uploads of one split and the tensor a model reads for them (activations, features or images;
 * one row per upload, in order).
 *
 * @example
 * ```ts
 * const scores = computeActivations(model, split.x, PREDICT_BATCH_SIZE); // one row per split.uploads[i]
 * ```
 */
export interface PreparedSplit {
  uploads: Upload[];
  x: tf.Tensor;
}

/**
 * What `train()` learns from, but the labels and class names (the job adds those from its data set index).
 *
 * @example
 * ```ts
 * const input: TrainInput = { ...prepared.input, classNames: index.labels, labels: toLabels(prepared.train.uploads) };
 * ```
 */
export type StrategyInput = WithoutLabels<TrainInput>;

/** `Omit` applied to each member of a union. */
type WithoutLabels<T> = T extends unknown ? Omit<T, 'labels' | 'classNames'> : never;

/**
 * The inputs the chosen strategy trains, validates and is tested on. Its tensors are freed by `dispose()`.
 *
 * @example
 * ```ts
 * const prepared = await prepareActivations({ decision, backbone, index, splits, extractDeps, progress });
 * try {
 *   await train({ ...prepared.input, classNames, labels: toLabels(prepared.train.uploads) });
 * } finally {
 *   prepared.dispose();
 * }
 * ```
 */
export interface PreparedInputs {
  /** The cut the model was trained above (`features` for feature extraction; none when trained from images). */
  cut?: string;
  input: StrategyInput;
  train: PreparedSplit;
  val?: PreparedSplit;
  test?: PreparedSplit;
  /** Uploads that are not usable images (each has a rejects record). */
  rejected: Gathered['rejected'];
  /** `{ sha256, label }` of every training image (for the data set fingerprint). */
  fingerprint: { sha256: string; label: string }[];
  dispose(): void;
}

/**
 * What a preparer ({@link PreparedInputs} from stored activations or from images) works from.
 *
 * @example
 * ```ts
 * const args: PrepareArgs = { decision, backbone, index, splits: bySplit(index.uploads), extractDeps, progress };
 * ```
 */
export interface PrepareArgs {
  decision: Decision;
  backbone: Backbone;
  index: DatasetIndex;
  splits: Splits;
  extractDeps: ProcessDeps;
  progress: ProgressReporter;
}
