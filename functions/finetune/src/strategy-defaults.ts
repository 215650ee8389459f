import type { TrainOptions } from '@graft/core';
import type { TrainingOptions } from '@graft/jobs';
import type { Decision } from './decide.js';

/** Hyperparameters of each strategy when the job asks for none. */
const DEFAULTS: Record<Decision['strategy'], TrainOptions> = {
  'feature-extraction': {
    epochs: 40,
    learningRate: 1e-3,
    batchSize: 32,
    earlyStopping: { patience: 5 },
    head: { hidden: 128, dropout: 0.3 },
  },
  'freeze-k': {
    // Measured on the demo (MNIST, 100/class, cut block_16_project_BN): lr 1e-3 with pretrained layers at 0.1×
    // reached 0.79 held-out; lr 3e-3 with the retrained layers at full rate 0.88.
    epochs: 8,
    learningRate: 3e-3,
    batchSize: 32,
    earlyStopping: { patience: 3 },
    pretrainedLrScale: 1,
  },
  'fine-tune': {
    epochs: 10,
    learningRate: 1e-3,
    batchSize: 32,
    earlyStopping: { patience: 3 },
    pretrainedLrScale: 0.1,
  },
  scratch: { epochs: 20, learningRate: 1e-3, batchSize: 32, earlyStopping: { patience: 4 } },
  // Keras' MNIST-transfer CNN recipe, as `graft eval scenarios` develops its sources (shift/zoom 0.1, batch 64).
  develop: {
    epochs: 12,
    learningRate: 1e-3,
    batchSize: 64,
    earlyStopping: { patience: 3 },
    augmentation: { shift: 0.1, zoom: 0.1 },
  },
};

/**
 * freeze-k with `upper: 'replace'` trains only a new head on pooled, standardised activations: cheap epochs, so
 * more of them. Measured on the demo (MNIST, 100/class, `block_13_expand_relu`): best validation epoch ~20,
 * 0.95 held-out, ~7 s.
 */
const REPLACE_UPPER_DEFAULTS: TrainOptions = {
  epochs: 60,
  learningRate: 1e-3,
  batchSize: 32,
  earlyStopping: { patience: 8 },
  head: { hidden: 0, dropout: 0 },
};

/** Patience of a requested earlyStopping that names none, for a strategy whose defaults have none either. */
const FALLBACK_PATIENCE = 5;

/**
 * The hyperparameters a job trains with: the decided strategy's defaults, seed 1, then what the job asked for
 * (its `cut` and `upper` are not training options: they shape the decision, see {@link applyRequestedOptions}).
 *
 * @example
 * ```ts
 * trainOptionsFor({ strategy: 'scratch', explanation: '' }, { epochs: 3 });
 * // { epochs: 3, learningRate: 1e-3, batchSize: 32, earlyStopping: { patience: 4 }, seed: 1 }
 * ```
 */
export function trainOptionsFor(decision: Decision, requested?: TrainingOptions): TrainOptions {
  const defaults = decision.upper === 'replace' ? REPLACE_UPPER_DEFAULTS : DEFAULTS[decision.strategy];
  const {
    cut: _cut,
    upper: _upper,
    budgetSeconds: _budget,
    crossValidate: _cv,
    architecture: _a,
    inputSize: _s,
    earlyStopping: requestedStopping,
    ...rest
  } = requested ?? {};
  const grid = decision.grid ?? rest.head?.grid;
  const head = grid === undefined ? rest.head : { ...defaults.head, ...rest.head, grid };
  // A requested earlyStopping changes what it names: a monitor alone keeps the strategy's patience.
  const earlyStopping = requestedStopping && {
    ...requestedStopping,
    patience: requestedStopping.patience ?? defaults.earlyStopping?.patience ?? FALLBACK_PATIENCE,
  };
  return {
    ...defaults,
    seed: 1,
    ...rest,
    ...(head ? { head } : {}),
    ...(earlyStopping ? { earlyStopping } : {}),
  };
}

/**
 * The decision with what the job asked for applied: an explicit `options.cut`, and for freeze-k what to do with
 * the layers above the cut — as asked (`options.upper`), else as advised (unless the cut was asked for), else
 * `retrain`.
 *
 * @example
 * ```ts
 * const decision = applyRequestedOptions(await decideStrategy({ … }), { cut: 'block_13_expand_relu' });
 * ```
 */
export function applyRequestedOptions(decided: Decision, options?: TrainingOptions): Decision {
  const asked: Decision = {
    ...decided,
    ...(options?.cut ? { cut: options.cut } : {}),
    ...(options?.head?.grid ? { grid: options.head.grid } : {}),
  };
  if (asked.strategy !== 'freeze-k') return asked;
  const upper = options?.upper ?? (options?.cut ? undefined : asked.advice?.upper) ?? 'retrain';
  return { ...asked, upper };
}
