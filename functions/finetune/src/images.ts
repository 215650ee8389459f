import type { Backbone } from '@graft/core';
import { decodeImage, toModelInput } from '@graft/imaging';
import { tf } from '@graft/runtime';

/**
 * Decodes up to `limit` images into one preprocessed `[n, size, size, 3]` batch (for the similarity measure and
 * for strategies that train from images).
 *
 * @example
 * ```ts
 * const images = await imagesTensor(store, keys, backbone);
 * ```
 */
export async function imagesTensor(
  read: (key: string) => Promise<Uint8Array>,
  keys: string[],
  backbone: Backbone,
  onBytes?: (key: string, bytes: Uint8Array) => Promise<void>,
): Promise<tf.Tensor4D> {
  const tensors: tf.Tensor3D[] = [];
  try {
    for (const key of keys) {
      const bytes = await read(key);
      await onBytes?.(key, bytes);
      const image = await decodeImage(bytes);
      tensors.push(toModelInput(image, { size: backbone.inputSize, preprocessing: backbone.preprocessing }));
    }
    return tf.stack(tensors) as tf.Tensor4D;
  } finally {
    tf.dispose(tensors);
  }
}
