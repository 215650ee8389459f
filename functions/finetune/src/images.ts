import type { Backbone } from '@graft/core';
import { decodeImage, ImagingError, toModelInput } from '@graft/imaging';
import { tf } from '@graft/runtime';

/** A batch of decoded images and the keys it holds (undecodable images are left out). */
export interface ImageBatch {
  images: tf.Tensor4D;
  /** Keys of the images in `images`, in order. */
  keys: string[];
  /** Keys skipped because they are not usable images (the extract function writes their rejects records). */
  skipped: { key: string; code: string; message: string }[];
}

/** What {@link imagesTensor} decodes. */
export interface ImagesArgs {
  read: (key: string) => Promise<Uint8Array>;
  keys: string[];
  /** Sets the input size and preprocessing (a backbone, or a served bundle's input). */
  backbone: Pick<Backbone, 'inputSize' | 'preprocessing'>;
  /** Called with the bytes of every image that decodes (e.g. to fingerprint the training images). */
  onBytes?: (key: string, bytes: Uint8Array) => Promise<void>;
}

/**
 * Decodes images into one preprocessed `[n, size, size, 3]` batch (for the similarity measure and for
 * strategies that train from images). An image that cannot be decoded is skipped and reported, never fatal.
 *
 * @example
 * ```ts
 * const { images, keys } = await imagesTensor({ read: (k) => store.get(k), keys: uploadKeys, backbone });
 * ```
 */
export async function imagesTensor({ read, keys, backbone, onBytes }: ImagesArgs): Promise<ImageBatch> {
  const tensors: tf.Tensor3D[] = [];
  const used: string[] = [];
  const skipped: ImageBatch['skipped'] = [];
  try {
    for (const key of keys) {
      const bytes = await read(key);
      let image: Awaited<ReturnType<typeof decodeImage>>;
      try {
        image = await decodeImage(bytes);
      } catch (error) {
        if (!(error instanceof ImagingError)) throw error;
        skipped.push({ key, code: error.code, message: error.message });
        continue;
      }
      await onBytes?.(key, bytes);
      tensors.push(toModelInput(image, { size: backbone.inputSize, preprocessing: backbone.preprocessing }));
      used.push(key);
    }
    const size = backbone.inputSize;
    const images = (tensors.length ? tf.stack(tensors) : tf.zeros([0, size, size, 3])) as tf.Tensor4D;
    return { images, keys: used, skipped };
  } finally {
    tf.dispose(tensors);
  }
}
