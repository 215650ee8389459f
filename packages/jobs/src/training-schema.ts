/**
 * The one schema of a training request: the API validates `POST /v1/trainings` with it before writing any record,
 * and the job parses its record with it again before any work. Types, ranges, the per-job budgets and storage's
 * name rule are all here; which option fits which strategy is {@link optionsProblem}, applied by the same schema.
 */
import type { EarlyStoppingMonitor } from '@graft/core';
import { names } from '@graft/storage';
import { z } from 'zod';
import {
  optionsProblem,
  TRAINING_STRATEGIES,
  type TrainingOptions,
  type TrainingSpec,
} from './training-spec.js';

/**
 * Ranges of the training options and the budgets of one job. `maxJobSeconds` is the wall time a job may run in
 * all: the local runner and AWS Batch (the job definition's timeout) stop a job that runs longer, and no
 * `timeLimitSeconds` or `budgetSeconds` may ask for more. `maxEpochImages` bounds epochs × training images (the
 * API checks it before writing the record when the data set's training images can be counted cheaply —
 * `countTrainingImages` — and the job checks it again once it has indexed the data set, before training).
 *
 * @example
 * ```ts
 * TRAINING_LIMITS.maxEpochs; // 1000
 * ```
 */
export const TRAINING_LIMITS = {
  maxEpochs: 1000,
  maxBatchSize: 4096,
  maxHiddenUnits: 4096,
  maxClassWeights: 10_000,
  maxJobSeconds: 4 * 3600,
  maxEpochImages: 20_000_000,
} as const;

// Spelled out, not imported: a value import of @graft/core would load its training code on the API's start path.
const MONITORS = ['accuracy', 'loss'] as const satisfies readonly EarlyStoppingMonitor[];

const finite = () => z.number().refine(Number.isFinite, 'must be a finite number');
const fraction = (max: number) => finite().min(0).max(max);
const seconds = () => finite().positive().max(TRAINING_LIMITS.maxJobSeconds);

/**
 * A name in a training request (data set, model, cut): storage's one rule (`names.nameProblem`).
 *
 * @example
 * ```ts
 * TrainingNameSchema.safeParse('a..').success; // false
 * ```
 */
export const TrainingNameSchema = z
  .string()
  .max(names.NAME_MAX_LENGTH)
  .refine((value) => names.nameProblem(value) === undefined, names.NAME_RULE);

/**
 * `options` of a training request: {@link TrainingOptions} field for field (the `satisfies` clauses fail to
 * compile when the two differ); an unknown field is refused.
 *
 * @example
 * ```ts
 * TrainingOptionsSchema.parse({ epochs: 5, cut: 'block_13_expand_relu', upper: 'replace' });
 * ```
 */
export const TrainingOptionsSchema = z.strictObject({
  optimizer: z.enum(['adam', 'sgd', 'rmsprop']).optional(),
  learningRate: finite().positive().max(10).optional(),
  pretrainedLrScale: fraction(10).optional(),
  epochs: z.number().int().min(1).max(TRAINING_LIMITS.maxEpochs).optional(),
  batchSize: z.number().int().min(1).max(TRAINING_LIMITS.maxBatchSize).optional(),
  validation: fraction(0.9).optional(),
  earlyStopping: z
    .strictObject({
      // omitted: the strategy's own patience (so `{ monitor: 'accuracy' }` changes only what is monitored)
      patience: z.number().int().min(1).max(TRAINING_LIMITS.maxEpochs).optional(),
      minDelta: fraction(1e6).optional(),
      monitor: z.enum(MONITORS).optional(),
    })
    .optional(),
  reduceLearningRate: z
    .strictObject({
      patience: z.number().int().min(1).max(TRAINING_LIMITS.maxEpochs),
      factor: finite().gt(0).lt(1).optional(),
    })
    .optional(),
  classWeights: z
    .union([z.literal('balanced'), z.array(fraction(1e6)).min(1).max(TRAINING_LIMITS.maxClassWeights)])
    .optional(),
  augmentation: z
    .strictObject({
      flip: z.boolean().optional(),
      shift: fraction(0.5).optional(),
      zoom: fraction(0.5).optional(),
    })
    .optional(),
  head: z
    .strictObject({
      hidden: z.number().int().min(0).max(TRAINING_LIMITS.maxHiddenUnits).optional(),
      dropout: fraction(0.95).optional(),
      grid: z.number().int().min(1).max(8).optional(),
    })
    .optional(),
  standardize: z.boolean().optional(),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  timeLimitSeconds: seconds().optional(),
  cut: TrainingNameSchema.optional(),
  upper: z.enum(['retrain', 'replace']).optional(),
  budgetSeconds: fraction(TRAINING_LIMITS.maxJobSeconds).optional(),
  crossValidate: z.boolean().optional(),
  architecture: z.enum(['mnist-cnn', 'mobilenet_v2']).optional(),
  inputSize: z.number().int().min(8).max(512).optional(),
} satisfies Record<keyof TrainingOptions, z.ZodType>) satisfies z.ZodType<TrainingOptions>;

/**
 * A training request ({@link TrainingSpec}; the strategy defaults to `auto`): every field checked, then
 * {@link optionsProblem}'s rule of which options fit which strategy.
 *
 * @example
 * ```ts
 * TrainingSpecSchema.parse({ dataset: 'digits', model: 'digits' }).strategy; // 'auto'
 * ```
 */
export const TrainingSpecSchema = z
  .strictObject({
    dataset: TrainingNameSchema,
    model: TrainingNameSchema,
    strategy: z.enum(TRAINING_STRATEGIES).default('auto'),
    options: TrainingOptionsSchema.optional(),
    promote: z.enum(['if-better', 'always']).optional(),
  } satisfies Record<keyof TrainingSpec, z.ZodType>)
  .superRefine((spec, ctx) => {
    const problem = optionsProblem(spec);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  }) satisfies z.ZodType<TrainingSpec>;

/**
 * Why `value` is not a valid training request (every issue, `path: message`, joined by `; `), or `undefined`.
 *
 * @example
 * ```ts
 * trainingSpecProblem({ dataset: 'd', model: 'm', options: { batchSize: 0 } });
 * // 'options.batchSize: Too small: expected number to be >=1'
 * ```
 */
export function trainingSpecProblem(value: unknown): string | undefined {
  const parsed = TrainingSpecSchema.safeParse(value);
  if (parsed.success) return undefined;
  return parsed.error.issues
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/**
 * Why `epochs` over `images` training images is over the job's budget ({@link TRAINING_LIMITS}`.maxEpochImages`),
 * or `undefined`.
 *
 * @example
 * ```ts
 * epochBudgetProblem(1000, 60_000); // 'epochs × training images = 60000000, over the budget of 20000000 per job'
 * ```
 */
export function epochBudgetProblem(epochs: number, images: number): string | undefined {
  const work = epochs * images;
  if (work <= TRAINING_LIMITS.maxEpochImages) return undefined;
  return `epochs × training images = ${work}, over the budget of ${TRAINING_LIMITS.maxEpochImages} per job (use fewer epochs)`;
}
