import type { tf } from '@graft/runtime';
import type { Backbone } from '../backbone/index.js';

/**
 * The five ways Graft can train.
 *
 * @example
 * ```ts
 * const s: StrategyName = advice.strategy;
 * ```
 */
export type StrategyName = 'feature-extraction' | 'freeze-k' | 'scratch' | 'fine-tune' | 'develop';

/**
 * Names of the architectures that `develop` can train from scratch.
 *
 * @example
 * ```ts
 * const a: ArchitectureName = 'mnist-cnn';
 * ```
 */
export type ArchitectureName = 'mnist-cnn' | 'mobilenet_v2';

/**
 * Class indexes `0..classNames.length-1`, one per sample.
 *
 * @example
 * ```ts
 * const labels: Labels = Int32Array.from([0, 2, 1]);
 * ```
 */
export type Labels = ArrayLike<number>;

interface CommonInput {
  /** Class names; their count sets the size of the softmax. */
  classNames: string[];
  labels: Labels;
}

/**
 * New head over cached features (the backbone's pooled output).
 *
 * @example
 * ```ts
 * const input: FeatureExtractionInput = { strategy: 'feature-extraction', features, labels, classNames };
 * ```
 */
export interface FeatureExtractionInput extends CommonInput {
  strategy: 'feature-extraction';
  /** `[n, ...featureShape]` — usually `[n, d]`. */
  features: tf.Tensor;
}

/**
 * Frozen trunk up to `cut`; the pretrained upper layers and a new head are trained.
 *
 * @example
 * ```ts
 * const input: FreezeKInput = { strategy: 'freeze-k', backbone, cut: 'block_6_project_BN', images, labels, classNames };
 * ```
 */
export interface FreezeKInput extends CommonInput {
  strategy: 'freeze-k';
  backbone: Backbone;
  /** Cut point name (see `backbone.cuts`). */
  cut: string;
  /**
   * What happens to the pretrained layers above `cut`: `'retrain'` (default) trains them with the new head;
   * `'replace'` drops them and trains a new head on the pooled activations at `cut` (for data sets too small
   * to retrain the source-specific upper layers: their parameters would over-fit).
   */
  upper?: 'retrain' | 'replace';
  /** Cached trunk activations at `cut`; computed from `images` when absent. */
  activations?: tf.Tensor4D;
  images?: tf.Tensor4D;
}

/**
 * Same architecture as the backbone, weights re-initialised, trained on images.
 *
 * @example
 * ```ts
 * const input: ScratchInput = { strategy: 'scratch', backbone, images, labels, classNames };
 * ```
 */
export interface ScratchInput extends CommonInput {
  strategy: 'scratch';
  backbone: Backbone;
  images: tf.Tensor4D;
}

/**
 * Every layer from the pretrained weights, trained on images with a low learning rate.
 *
 * @example
 * ```ts
 * const input: FineTuneInput = { strategy: 'fine-tune', backbone, images, labels, classNames };
 * ```
 */
export interface FineTuneInput extends CommonInput {
  strategy: 'fine-tune';
  backbone: Backbone;
  images: tf.Tensor4D;
}

/**
 * Train a source model of a named architecture and return it as a backbone.
 *
 * @example
 * ```ts
 * const input: DevelopInput = { strategy: 'develop', architecture: 'mnist-cnn', images, labels, classNames };
 * ```
 */
export interface DevelopInput extends CommonInput {
  strategy: 'develop';
  architecture: ArchitectureName;
  /** Preprocessed images `[n, size, size, channels]`. */
  images: tf.Tensor4D;
  /** How the images were preprocessed (`x * scale + offset` from [0, 255]); stored on the backbone. */
  preprocessing?: { scale: number; offset: number };
  /** Architecture knobs (defaults follow the published architecture). */
  architectureOptions?: { filters?: number; denseUnits?: number; alpha?: number };
}

/**
 * What `train()` learns from; the `strategy` field selects the variant.
 *
 * @example
 * ```ts
 * const input: TrainInput = { strategy: 'feature-extraction', features, labels, classNames };
 * ```
 */
export type TrainInput = FeatureExtractionInput | FreezeKInput | ScratchInput | FineTuneInput | DevelopInput;

/**
 * A labelled validation set in the same form as the training data (features, activations or images).
 *
 * @example
 * ```ts
 * await train(input, { validation: { x: valFeatures, labels: valLabels } satisfies ValidationSet });
 * ```
 */
export interface ValidationSet {
  x: tf.Tensor;
  labels: Labels;
}

/**
 * Hyperparameters of one training run.
 *
 * @example
 * ```ts
 * const options: TrainOptions = { epochs: 20, learningRate: 1e-3, validation: 0.2, earlyStopping: { patience: 3 }, seed: 1 };
 * ```
 */
export interface TrainOptions {
  optimizer?: 'adam' | 'sgd' | 'rmsprop';
  /** Learning rate of the new head (and of every layer for `scratch`/`develop`). Default 1e-3. */
  learningRate?: number;
  /**
   * Factor on the learning rate of pretrained layers (`freeze-k`, `fine-tune`). Default 0.1. With Adam or RMSprop
   * a pretrained kernel's rate is further bounded at 0.25 % of its RMS (`PRETRAINED_STEP_FRACTION`), so a large
   * rate cannot wreck the pretrained layers on the first steps.
   */
  pretrainedLrScale?: number;
  epochs?: number;
  batchSize?: number;
  /** An explicit validation set, or the fraction of the training data held out (seeded, stratified). */
  validation?: ValidationSet | number;
  /**
   * Stop once the monitored validation metric has not improved (by more than `minDelta`) for `patience` epochs in a
   * row, and restore the weights of its best epoch. `monitor` (default `'loss'`, as Keras) watches the validation
   * loss; `'accuracy'` keeps the epoch with the highest validation accuracy, ties going to the lower loss. Neither wins
   * everywhere: on `graft eval fashion`'s region features the loss bottomed out at epoch 3 while the accuracy rose to
   * epoch 10 (test 0.9010 by loss, 0.9072 by accuracy), but in `graft eval product-scenarios`' large × different cell
   * the region head's validation accuracy saturated near 0.99 and the accuracy-chosen epoch scored 0.942 on the test
   * images against 0.964. Without a validation set the training loss is watched.
   */
  earlyStopping?: EarlyStopping;
  /**
   * Reduce the learning rate on a plateau: after `patience` epochs in a row without improvement (by the early
   * stopping's monitor), every learning rate is multiplied by `factor` (default 0.2) and training goes on from the best
   * epoch's weights; again after each further `patience` epochs without improvement. Off by default. On
   * `graft eval fashion`'s region features (patience 2, early stopping after 6) the test accuracy went from 0.9072 to
   * 0.9152.
   */
  reduceLearningRate?: ReduceLearningRate;
  /** `'balanced'` = n / (classes · count_c), or one weight per class. */
  classWeights?: 'balanced' | number[];
  /** Random per-batch augmentation; only used when training from images. */
  augmentation?: { flip?: boolean; shift?: number; zoom?: number };
  /**
   * Head: hidden units (0 = none), dropout rate, and for new heads over `[h, w, c]` activations (`feature-extraction`,
   * `freeze-k` with `upper: 'replace'`) the pooling grid: 1 = global average pooling, g > 1 = the activations averaged
   * over g × g regions and kept side by side (where each region sits survives pooling; capped at h and w). Default
   * `{ hidden: 0, dropout: 0, grid: 1 }`.
   */
  head?: { hidden?: number; dropout?: number; grid?: number };
  /**
   * New heads over frozen features (`feature-extraction`, `freeze-k` with `upper: 'replace'`): standardise each
   * pooled feature with the training mean and standard deviation (folded into the saved head). Default true.
   */
  standardize?: boolean;
  /** Seed for initialisers, shuffles, splits and augmentation. */
  seed?: number;
  /**
   * Stop after the epoch in which this many seconds of training have passed (the best weights so far are kept, as
   * with early stopping). Default: no limit.
   */
  timeLimitSeconds?: number;
}

/**
 * One progress report: after every batch (`type: 'batch'`) and every epoch (`type: 'epoch'`).
 *
 * @example
 * ```ts
 * await train(input, options, (e: ProgressEvent) => e.type === 'epoch' && console.log(e.epoch, e.valLoss));
 * ```
 */
export interface ProgressEvent {
  phase: 'train';
  type: 'batch' | 'epoch';
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  acc?: number;
  valLoss?: number;
  valAcc?: number;
}

/**
 * Metrics of one epoch (validation values are absent without a validation set).
 *
 * @example
 * ```ts
 * const last: EpochMetrics = result.history.at(-1)!;
 * ```
 */
export interface EpochMetrics {
  loss: number;
  acc: number;
  valLoss?: number;
  valAcc?: number;
  /** The head's learning rate during the epoch (it falls with `reduceLearningRate`). */
  learningRate?: number;
}

/**
 * What `train()` returns. The caller owns (and disposes) the models.
 *
 * @example
 * ```ts
 * const result: TrainResult = await train(input, options);
 * result.model.dispose();
 * ```
 */
export interface TrainResult {
  /** The trained part: head, upper+head, or the whole image → probabilities model. Input matches the training data. */
  model: tf.LayersModel;
  /** The new head alone (input = pooled features). */
  head: tf.LayersModel;
  /** The image → probabilities model when it can be composed (needs a backbone; not for bare feature extraction). */
  inference?: tf.LayersModel;
  /** The backbone developed by `develop`. */
  backbone?: Backbone;
  history: EpochMetrics[];
  /** 0-based epoch whose weights the model holds. */
  bestEpoch: number;
  strategy: StrategyName;
  seconds: number;
  /** Resolved hyperparameters, for the bundle's `graft.json`. */
  hyperparameters: Record<string, unknown>;
}

/**
 * When training stops early and which epoch's weights it keeps (see `TrainOptions.earlyStopping`).
 *
 * @example
 * ```ts
 * const es: EarlyStopping = { patience: 4, monitor: 'accuracy' };
 * ```
 */
export interface EarlyStopping {
  patience: number;
  /** Smallest change that counts as an improvement, in the monitored metric's units (default 0). */
  minDelta?: number;
  /** Default `'loss'` (validation loss); `'accuracy'`: validation accuracy, ties to the lower loss. */
  monitor?: EarlyStoppingMonitor;
}

/**
 * What early stopping watches: validation accuracy (ties to the lower loss) or validation loss.
 *
 * @example
 * ```ts
 * EARLY_STOPPING_MONITORS.includes('loss'); // true
 * ```
 */
export const EARLY_STOPPING_MONITORS = ['accuracy', 'loss'] as const;
/** One of {@link EARLY_STOPPING_MONITORS}. */
export type EarlyStoppingMonitor = (typeof EARLY_STOPPING_MONITORS)[number];

/**
 * The plateau schedule of `TrainOptions.reduceLearningRate`.
 *
 * @example
 * ```ts
 * const schedule: ReduceLearningRate = { patience: 2, factor: 0.2 };
 * ```
 */
export interface ReduceLearningRate {
  /** Epochs in a row without improvement before each reduction (≥ 1). */
  patience: number;
  /** Multiplier of every learning rate at each reduction, in (0, 1); default 0.2. */
  factor?: number;
}
