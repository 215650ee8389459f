import {
  type Backbone,
  disposeWeights,
  seededRandom,
  shuffledIndices,
  type TrainOptions,
  train,
} from '@graft/core';
import { tf } from '@graft/runtime';
import { accuracyOf } from './accuracy.js';
import { JobError } from './errors.js';
import type { PreparedInputs, StrategyInput } from './prepared.js';
import { tensorScope } from './scopes.js';

/** How many folds a cross-validated candidate trains. */
export const CV_FOLDS = 5;

/**
 * A validation split this small ranks the cheap candidates by noise, so they are cross-validated instead: with
 * 150 validation images at 0.8 accuracy one standard error is 0.033, more than most candidates differ by. Measured
 * as a new user (5 Fashion-MNIST classes × 40 images, 15 validation images): the race chose feature extraction on
 * 0.933 validation accuracy, and it scored 0.364 on the test split.
 */
export const CV_BELOW_VAL_IMAGES = 500;

/** Above this many training and validation images together the cheap candidates are not cross-validated (time). */
export const CV_MAX_IMAGES = 5000;

/** A candidate's cross-validated accuracy: every training and validation image scored once, by a model that did not train on it. */
export interface CrossValidated {
  /** Right answers over all images (the folds pooled). */
  accuracy: number;
  /** The standard deviation of the folds' accuracies. */
  sd: number;
  folds: number;
  images: number;
}

/**
 * Whether the cheap candidates are cross-validated: when there is a validation split, it is smaller than
 * {@link CV_BELOW_VAL_IMAGES} and training and validation images together are at most {@link CV_MAX_IMAGES}.
 *
 * @example
 * ```ts
 * shouldCrossValidate(450, 50); // true
 * shouldCrossValidate(4500, 500); // false: the validation split is large enough to rank on
 * ```
 */
export function shouldCrossValidate(trainImages: number, valImages: number): boolean {
  return valImages > 0 && valImages < CV_BELOW_VAL_IMAGES && trainImages + valImages <= CV_MAX_IMAGES;
}

/**
 * Stratified folds: each label's rows shuffled (seeded) and dealt out in turn, so every fold holds each label's
 * share and the folds differ in size by at most one row.
 *
 * @example
 * ```ts
 * stratifiedFolds([0, 0, 1, 1, 1], 2, 1); // e.g. [[0, 3], [1, 2, 4]]
 * ```
 */
export function stratifiedFolds(labels: number[], folds: number, seed: number): number[][] {
  const rand = seededRandom(seed);
  const byLabel = new Map<number, number[]>();
  labels.forEach((label, i) => {
    byLabel.set(label, [...(byLabel.get(label) ?? []), i]);
  });
  const out: number[][] = Array.from({ length: folds }, () => []);
  let dealt = 0;
  for (const label of [...byLabel.keys()].sort((a, b) => a - b)) {
    const rows = byLabel.get(label)!;
    for (const k of shuffledIndices(rows.length, rand)) out[dealt++ % folds]!.push(rows[k]!);
  }
  return out.map((fold) => fold.sort((a, b) => a - b));
}

/** What {@link crossValidate} trains. */
export interface CrossValidateArgs {
  /** A cheap candidate's inputs (training and validation rows over stored activations). */
  prepared: PreparedInputs;
  trainLabels: number[];
  valLabels: number[];
  classNames: string[];
  backbone: Backbone;
  options: TrainOptions;
  folds?: number;
  /** Called after each fold with how many are done. */
  onFold?: (done: number, folds: number) => void;
}

/**
 * Cross-validates a cheap candidate over its training and validation rows together: per fold, a head trains on
 * the other folds (early stopping on this one, as the race's candidates do on the validation split) and scores
 * this one. The folds' models are freed as they finish (the backbone's weights are not touched); the inputs stay
 * the caller's.
 *
 * @example
 * ```ts
 * const cv = await crossValidate({ prepared, trainLabels, valLabels, classNames, backbone, options });
 * console.log(cv.accuracy, cv.sd);
 * ```
 */
export async function crossValidate(args: CrossValidateArgs): Promise<CrossValidated> {
  const { prepared, backbone, options } = args;
  if (!prepared.val) throw new JobError('job_failed', 'cross-validation needs a validation split');
  const labels = [...args.trainLabels, ...args.valLabels];
  const folds = stratifiedFolds(labels, args.folds ?? CV_FOLDS, options.seed ?? 1).filter(
    (f) => f.length > 0,
  );
  const backboneWeights = new Set(backbone.model.weights.map((w) => w.id));
  const scope = tensorScope();
  let right = 0;
  const accuracies: number[] = [];
  try {
    const all = scope.keep(tf.concat([prepared.train.x, prepared.val.x], 0));
    for (const [k, held] of folds.entries()) {
      const heldSet = new Set(held);
      const rest = labels.map((_, i) => i).filter((i) => !heldSet.has(i));
      const x = tf.gather(all, rest);
      const heldX = tf.gather(all, held);
      const heldLabels = held.map((i) => labels[i]!);
      try {
        const result = await train(
          {
            ...withRows(prepared.input, x),
            classNames: args.classNames,
            labels: rest.map((i) => labels[i]!),
          },
          { ...options, validation: { x: heldX, labels: heldLabels } },
        );
        try {
          const accuracy = accuracyOf(result.model, heldX, heldLabels);
          accuracies.push(accuracy);
          right += accuracy * held.length;
        } finally {
          disposeWeights([result.model, result.head, result.inference], { skip: backboneWeights });
        }
      } finally {
        tf.dispose([x, heldX]);
      }
      args.onFold?.(k + 1, folds.length);
    }
  } finally {
    scope.dispose();
  }
  const mean = accuracies.reduce((s, a) => s + a, 0) / accuracies.length;
  const sd = Math.sqrt(
    accuracies.reduce((s, a) => s + (a - mean) ** 2, 0) / Math.max(1, accuracies.length - 1),
  );
  return { accuracy: right / labels.length, sd, folds: folds.length, images: labels.length };
}

/** The same strategy input over other rows (feature extraction's features, or freeze-k's activations). */
function withRows(input: StrategyInput, x: tf.Tensor): StrategyInput {
  if (input.strategy === 'feature-extraction') return { ...input, features: x };
  if (input.strategy === 'freeze-k') return { ...input, activations: x as tf.Tensor4D };
  throw new JobError(
    'job_failed',
    `${input.strategy} is not cross-validated: it does not train over stored activations`,
  );
}
