import type { Backbone, TrainOptions } from '@graft/core';
import type { ProgressReporter } from '@graft/jobs';
import { accuracyOf } from './accuracy.js';
import type { Upload } from './dataset-index.js';
import type { Decision } from './decide.js';
import { JobError } from './errors.js';
import type { PreparedInputs } from './prepared.js';
import type { Trained } from './race.js';
import type { WeightScope } from './scopes.js';
import { type TrainSpan, trainWithProgress } from './train-with-progress.js';

/** What {@link trainPrepared} trains. */
export interface TrainPreparedArgs {
  decision: Decision;
  /** The backbone it builds on; none for `develop`, whose result is a backbone of its own. */
  backbone: Backbone | undefined;
  prepared: PreparedInputs;
  options: TrainOptions;
  labels: string[];
  toLabels: (uploads: Upload[]) => number[];
  progress: ProgressReporter;
  /** The trained models join this scope (freed when the job ends; they may share layers with the backbone). */
  weights: WeightScope;
  span?: TrainSpan;
}

/**
 * Trains on prepared inputs, validating on their validation split (a tenth of the training data when there is
 * none), and scores the result on that split. Owns nothing new: the inputs stay the caller's, the weights go to
 * `weights`.
 *
 * @example
 * ```ts
 * const trained = await trainPrepared({ decision, backbone, prepared, options, labels, toLabels, progress, weights });
 * console.log(trained.valAccuracy);
 * ```
 */
export async function trainPrepared(args: TrainPreparedArgs): Promise<Trained> {
  const { decision, backbone, prepared, options, labels, toLabels, progress, weights, span } = args;
  const started = performance.now();
  const input = { ...prepared.input, classNames: labels, labels: toLabels(prepared.train.uploads) };
  const val = prepared.val ? { x: prepared.val.x, labels: toLabels(prepared.val.uploads) } : undefined;
  const result = await trainWithProgress(input, { ...options, validation: val ?? 0.1 }, progress, span);
  weights.add(result.model, result.head, result.inference);
  const valAccuracy = val ? accuracyOf(result.model, val.x, val.labels) : Number.NaN;
  const built = backbone ?? result.backbone;
  if (!built) throw new JobError('job_failed', `${decision.strategy} returned no backbone to bundle with`);
  return {
    decision,
    backbone: built,
    prepared,
    result,
    valAccuracy,
    seconds: (performance.now() - started) / 1000,
  };
}
