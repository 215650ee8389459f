import type { Backbone } from '@graft/core';
import type { tf } from '@graft/runtime';
import { sha256 } from '@graft/storage';
import type { Upload } from './dataset-index.js';
import { JobError } from './errors.js';
import { imagesTensor } from './images.js';
import type { PrepareArgs, PreparedInputs, PreparedSplit } from './prepared.js';
import { tensorScope } from './scopes.js';

/** Every split decoded to model input; the tensors are freed by `dispose()`. */
export type DecodedSplits = Omit<PreparedInputs, 'input' | 'cut'>;

/**
 * Decodes the images of every split into one preprocessed batch each, at `input`'s size and preprocessing
 * (undecodable ones are rejected, never fatal), reporting the `images` phase.
 *
 * @example
 * ```ts
 * const decoded = await decodeSplits({ input: backbone, splits, extractDeps, progress });
 * ```
 */
export async function decodeSplits(
  args: Pick<PrepareArgs, 'splits' | 'extractDeps' | 'progress'> & {
    input: Pick<Backbone, 'inputSize' | 'preprocessing'>;
  },
): Promise<DecodedSplits> {
  const { input, splits, extractDeps, progress } = args;
  const scope = tensorScope();
  const rejected: PreparedInputs['rejected'] = [];
  const fingerprint: PreparedInputs['fingerprint'] = [];
  const read = (key: string) => extractDeps.store.get(key);
  const load = async (uploads: Upload[], phaseFraction: number, fingerprinted = false) => {
    if (uploads.length === 0) return undefined;
    progress.set({ phase: 'images', fraction: phaseFraction, message: `decoding ${uploads.length} images` });
    const byKey = new Map(uploads.map((u) => [u.key, u]));
    const batch = await imagesTensor({
      read,
      keys: uploads.map((u) => u.key),
      backbone: input,
      onBytes: async (key, bytes) => {
        if (fingerprinted) fingerprint.push({ sha256: await sha256(bytes), label: byKey.get(key)!.label });
      },
    });
    rejected.push(...batch.skipped);
    const images: tf.Tensor4D = scope.keep(batch.images);
    if (batch.keys.length === 0) return undefined;
    return { uploads: batch.keys.map((k) => byKey.get(k)!), x: images } satisfies PreparedSplit;
  };
  try {
    const train = await load(splits.train, 0.05, true);
    if (!train) throw new JobError('no_training_images', 'no usable training image (all were rejected)');
    return {
      train,
      val: await load(splits.val, 0.2),
      test: await load(splits.test, 0.25),
      rejected,
      fingerprint,
      dispose: scope.dispose,
    };
  } catch (error) {
    scope.dispose();
    throw error;
  }
}

/**
 * The inputs of scratch and fine-tune: the decoded, preprocessed images of each split.
 *
 * @example
 * ```ts
 * const prepared = await prepareImages({ decision, backbone, index, splits, extractDeps, progress });
 * ```
 */
export async function prepareImages(args: PrepareArgs): Promise<PreparedInputs> {
  const { decision, backbone } = args;
  const decoded = await decodeSplits({ ...args, input: backbone });
  // Every strategy but those over stored activations trains from images (train() rejects an unknown one).
  const strategy = decision.strategy as 'scratch' | 'fine-tune';
  return { ...decoded, input: { strategy, backbone, images: decoded.train.x as tf.Tensor4D } };
}
