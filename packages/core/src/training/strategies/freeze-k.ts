import { tf } from '@graft/runtime';
import { compileTrunk, splitBackbone } from '../../backbone/index.js';
import { InvalidTrainingInputError } from '../errors.js';
import type { ResolvedOptions } from '../prepare.js';
import type { FreezeKInput, ProgressEvent, TrainOptions } from '../types.js';
import { composeWithHead } from './compose.js';
import { trainPooledHead } from './pooled-head.js';
import type { StrategyOutput } from './strategy-output.js';
import { trainWithBase } from './train-with-base.js';

/**
 * Runs a batch through a model in slices of `batchSize` along the first axis; returns one tensor of outputs.
 * The model is a compiled trunk over images, or any `LayersModel` over images, activations or features.
 *
 * @example
 * ```ts
 * const acts = computeActivations(compileTrunk(trunk), images, 32);
 * const scores = computeActivations(head, features, 64);
 * ```
 */
export function computeActivations<T extends tf.Tensor>(
  trunk: { predict(x: T): tf.Tensor | tf.Tensor[] },
  images: T,
  batchSize: number,
): tf.Tensor {
  const parts: tf.Tensor[] = [];
  const n = images.shape[0] ?? 0;
  try {
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      parts.push(tf.tidy(() => trunk.predict(tf.slice(images, start, size)) as tf.Tensor));
    }
    return parts.length === 1 ? parts[0]!.clone() : tf.concat(parts);
  } finally {
    tf.dispose(parts);
  }
}

/**
 * Scenario 2: keeps the trunk up to `cut` frozen (its activations are computed once, or passed in as cached
 * activations) and trains the pretrained upper layers — BatchNormalization kept in inference mode, learning rate
 * scaled by `pretrainedLrScale` and each kernel's step bounded at 0.25 % of its RMS (`PRETRAINED_STEP_FRACTION`:
 * without it, lr 3e-3 left MobileNetV2's blocks above `block_13_expand_relu` at chance on Fashion-MNIST) —
 * together with a new head. The upper layers are shared with
 * `backbone.model`, so the backbone is updated in place. With `upper: 'replace'` the upper layers are dropped
 * instead and a new head is trained on the pooled, standardised activations at `cut`.
 *
 * @example
 * ```ts
 * const out = await trainFreezeK({ strategy: 'freeze-k', backbone, cut: 'block_10_project_BN', images, labels,
 *   classNames }, options, resolveOptions(options));
 * ```
 */
export async function trainFreezeK(
  input: FreezeKInput,
  options: TrainOptions,
  r: ResolvedOptions,
  onProgress?: (e: ProgressEvent) => void,
): Promise<StrategyOutput> {
  if (!input.activations && !input.images)
    throw new InvalidTrainingInputError('freeze-k needs cached activations or images');
  const split = splitBackbone(input.backbone, input.cut);
  if (input.upper === 'replace') return replaceUpper(input, split, options, r, onProgress);
  let compiled: ReturnType<typeof compileTrunk> | undefined;
  const transform = input.activations
    ? undefined
    : (x: tf.Tensor) => {
        compiled ??= compileTrunk(split.trunk);
        return computeActivations(compiled, x as tf.Tensor4D, r.batchSize);
      };
  // With the cut at 'features' there is nothing above the cut: an identity base keeps one code path.
  const upper =
    split.upper ??
    (() => {
      const inp = tf.input({ shape: split.cut.outputShape });
      return tf.model({ inputs: inp, outputs: inp });
    })();
  try {
    const { head, loop } = await trainWithBase(
      {
        base: upper,
        baseTraining: false,
        baseLrScale: r.pretrainedLrScale,
        x: (input.activations ?? input.images)!,
        labels: input.labels,
        numClasses: input.classNames.length,
        images: false,
        ...(transform ? { transform } : {}),
      },
      options,
      r,
      onProgress,
    );
    const model = composeWithHead(upper, head, 'graft_upper_head');
    return { ...loop, model, head, inference: composeWithHead(input.backbone.model, head) };
  } finally {
    compiled?.dispose();
  }
}

/** `upper: 'replace'`: a new pooled head right on the activations at the cut; the layers above are not used. */
async function replaceUpper(
  input: FreezeKInput,
  split: ReturnType<typeof splitBackbone>,
  options: TrainOptions,
  r: ResolvedOptions,
  onProgress?: (e: ProgressEvent) => void,
): Promise<StrategyOutput> {
  let activations = input.activations;
  let validation = options.validation;
  if (!activations) {
    // From images: run the frozen trunk once over the training (and an explicit validation) set.
    const compiled = compileTrunk(split.trunk);
    try {
      activations = computeActivations(compiled, input.images!, r.batchSize) as tf.Tensor4D;
      if (validation && typeof validation !== 'number')
        validation = {
          ...validation,
          x: computeActivations(compiled, validation.x as tf.Tensor4D, r.batchSize),
        };
    } finally {
      compiled.dispose();
    }
  }
  try {
    const { head, loop } = await trainPooledHead(
      {
        x: activations,
        labels: input.labels,
        numClasses: input.classNames.length,
        standardize: options.standardize ?? true,
      },
      { ...options, ...(validation === undefined ? {} : { validation }) },
      r,
      onProgress,
    );
    return { ...loop, model: head, head, inference: composeWithHead(split.trunk, head) };
  } finally {
    if (activations !== input.activations) activations.dispose();
    if (validation !== options.validation && validation && typeof validation !== 'number')
      validation.x.dispose();
  }
}
