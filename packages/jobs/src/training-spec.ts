import type { ArchitectureName, TrainOptions } from '@graft/core';

/**
 * The training strategies a job may ask for: `auto` lets the advisor choose among the four ways to reuse the data
 * set's backbone; `develop` trains a source model from scratch (to register as a backbone afterwards).
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
  'develop',
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
export interface TrainingOptions extends Omit<TrainOptions, 'earlyStopping'> {
  /** core's `earlyStopping`; a `patience` left out is the strategy's own (`{ monitor: 'accuracy' }` changes only that). */
  earlyStopping?: Partial<NonNullable<TrainOptions['earlyStopping']>>;
  /** freeze-k: the cut point to freeze up to (else the advised one, never below the data set's stored cut). */
  cut?: string;
  /** freeze-k: retrain the pretrained layers above the cut, or replace them with a new pooled head. */
  upper?: 'retrain' | 'replace';
  /**
   * auto: seconds the expensive candidates of the race (retraining conv layers, fine-tune, scratch) may take in
   * all; they join only when the advisor says they may win, and one that trains every layer only when a timed
   * training step says it fits. Default {@link DEFAULT_BUDGET_SECONDS}; 0 races only the cheap candidates (heads
   * over stored activations).
   */
  budgetSeconds?: number;
  /**
   * auto: whether the cheap candidates are ranked by cross-validation over the training and validation images
   * before the best of them races on the validation split. Default: when the validation split has fewer than 500
   * images (too few to rank on) and the two splits together at most 5,000; `true` always; `false` races every cheap
   * candidate on the validation split alone.
   */
  crossValidate?: boolean;
  /** develop: the architecture to train (default `mnist-cnn`). */
  architecture?: ArchitectureName;
  /** develop: the square input size it trains at (default: the architecture's own, 28 for `mnist-cnn`, 96 for `mobilenet_v2`). */
  inputSize?: number;
}

/**
 * The default `options.budgetSeconds` of an `auto` job: five minutes, what a user waits for a better model without
 * having asked for it. On two cores (WASM, 96 px) that retrains MobileNetV2's upper blocks over about a thousand
 * stored activations, or fine-tunes every layer over about a hundred images (a training step measured 0.27 s per
 * image); the GPU job fits far more in the same time.
 *
 * @example
 * ```ts
 * const budget = spec.options?.budgetSeconds ?? DEFAULT_BUDGET_SECONDS;
 * ```
 */
export const DEFAULT_BUDGET_SECONDS = 300;

/**
 * When a newly trained version becomes the serving one: `if-better` (the default) only when it is not worse than
 * the serving version on the same validation split; `always` regardless.
 *
 * @example
 * ```ts
 * const promote: PromotePolicy = spec.promote ?? 'if-better';
 * ```
 */
export type PromotePolicy = 'if-better' | 'always';

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
  /** Default `if-better`. */
  promote?: PromotePolicy;
}

/**
 * Why a spec's options do not fit its strategy (`undefined` when they do): every explicit strategy honours its
 * options or refuses them, before any work. `cut` names where the frozen part ends, so it applies to
 * feature extraction (a head on the pooled activations at the cut) and freeze-k; `upper` only to freeze-k;
 * `head.grid` (pooling regions) only to new heads over stored activations; `budgetSeconds` and `crossValidate` only
 * to `auto`, which chooses the cut and the pooling itself.
 *
 * @example
 * ```ts
 * optionsProblem({ dataset: 'd', model: 'm', strategy: 'scratch', options: { cut: 'block_13_expand_relu' } });
 * // "options.cut does not apply to scratch: it trains every layer (use feature-extraction or freeze-k)"
 * ```
 */
export function optionsProblem(spec: TrainingSpec): string | undefined {
  const { cut, upper, budgetSeconds } = spec.options ?? {};
  const s = spec.strategy;
  if (cut !== undefined && s !== 'feature-extraction' && s !== 'freeze-k')
    return s === 'auto'
      ? 'options.cut does not apply to auto: it races the cuts itself (name feature-extraction or freeze-k to fix the cut)'
      : `options.cut does not apply to ${s}: it trains every layer (use feature-extraction or freeze-k)`;
  if (upper !== undefined && s !== 'freeze-k') return `options.upper applies to freeze-k only, not to ${s}`;
  if (
    spec.options?.head?.grid !== undefined &&
    s !== 'feature-extraction' &&
    !(s === 'freeze-k' && upper === 'replace')
  )
    return s === 'auto'
      ? 'options.head.grid does not apply to auto: it races the pooling itself'
      : `options.head.grid applies to new heads over stored activations only (feature-extraction, or freeze-k with options.upper "replace"), not to ${s}${s === 'freeze-k' ? ' retraining the layers above the cut' : ''}`;
  if ((spec.options?.architecture !== undefined || spec.options?.inputSize !== undefined) && s !== 'develop')
    return `options.architecture and options.inputSize apply to develop only, not to ${s}`;
  if (budgetSeconds !== undefined && s !== 'auto')
    return `options.budgetSeconds applies to auto only, not to ${s}`;
  if (spec.options?.crossValidate !== undefined && s !== 'auto')
    return `options.crossValidate applies to auto only, not to ${s}: it ranks the race's cheap candidates`;
  if (budgetSeconds !== undefined && !(Number.isFinite(budgetSeconds) && budgetSeconds >= 0))
    return `options.budgetSeconds must be a number of seconds ≥ 0, got ${budgetSeconds}`;
  return undefined;
}
