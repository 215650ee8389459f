import type { TrainOptions } from '@graft/core';

/**
 * The training strategies a job may ask for: `auto` lets the advisor choose among the other four.
 *
 * @example
 * ```ts
 * TRAINING_STRATEGIES.includes('freeze-k'); // true
 * ```
 */
export const TRAINING_STRATEGIES = [
  'auto',
  'feature-extraction',
  'freeze-k',
  'fine-tune',
  'scratch',
] as const;

/**
 * One of {@link TRAINING_STRATEGIES}.
 *
 * @example
 * ```ts
 * const strategy: TrainingStrategy = 'auto';
 * ```
 */
export type TrainingStrategy = (typeof TRAINING_STRATEGIES)[number];

/**
 * Hyperparameters of a training job: core's `TrainOptions`, plus where freeze-k cuts and what it does with the
 * layers above the cut. Any option left out takes the strategy's default.
 *
 * @example
 * ```ts
 * const options: TrainingOptions = { epochs: 5, cut: 'block_13_expand_relu', upper: 'replace' };
 * ```
 */
export interface TrainingOptions extends TrainOptions {
  /** freeze-k: the cut point to freeze up to (else the advised one, never below the data set's stored cut). */
  cut?: string;
  /** freeze-k: retrain the pretrained layers above the cut, or replace them with a new pooled head. */
  upper?: 'retrain' | 'replace';
}

/**
 * What a client asks to train: a model from a data set, with a strategy (and options).
 *
 * @example
 * ```ts
 * const spec: TrainingSpec = { dataset: 'digits', model: 'digits', strategy: 'auto', options: { epochs: 5 } };
 * ```
 */
export interface TrainingSpec {
  dataset: string;
  model: string;
  strategy: TrainingStrategy;
  options?: TrainingOptions;
}
