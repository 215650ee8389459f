import { tf } from '@graft/runtime';

/**
 * Random augmentation of image batches.
 *
 * @example
 * ```ts
 * const aug: AugmentationOptions = { flip: true, shift: 0.1, zoom: 0.1 };
 * ```
 */
export interface AugmentationOptions {
  /** Mirror left–right with probability 0.5. */
  flip?: boolean;
  /** Maximum translation as a fraction of the image side (e.g. 0.1). */
  shift?: number;
  /** Maximum zoom in/out as a fraction (e.g. 0.1 → scale in [0.9, 1.1]). */
  zoom?: number;
}

/**
 * Applies random flips, shifts and zooms to a batch `[b, h, w, c]` with tf ops (flip via `where`, shift and zoom
 * via one `cropAndResize` with a random box per image; pixels from outside the image are 0).
 * Returns a new tensor; the caller disposes it.
 *
 * @example
 * ```ts
 * const out = augmentBatch(batch, { flip: true, shift: 0.1, zoom: 0.1 }, seededRandom(1));
 * ```
 */
export function augmentBatch(
  images: tf.Tensor4D,
  options: AugmentationOptions,
  rand: () => number,
): tf.Tensor4D {
  const [b, h, w] = images.shape;
  const shift = options.shift ?? 0;
  const zoom = options.zoom ?? 0;
  return tf.tidy(() => {
    let x = images;
    if (options.flip) {
      // [b, 1, 1, 1]: `where` broadcasts numpy-style, so a rank-1 mask would align with the channel axis
      const mask = tf.tensor4d(
        Array.from({ length: b }, () => rand() < 0.5),
        [b, 1, 1, 1],
        'bool',
      );
      x = tf.where(mask, tf.image.flipLeftRight(x), x);
    }
    if (shift > 0 || zoom > 0) {
      const boxes: number[][] = [];
      for (let i = 0; i < b; i++) {
        const scale = 1 + (rand() * 2 - 1) * zoom; // > 1 zooms in
        const size = 1 / scale;
        const cy = 0.5 + (rand() * 2 - 1) * shift;
        const cx = 0.5 + (rand() * 2 - 1) * shift;
        boxes.push([cy - size / 2, cx - size / 2, cy + size / 2, cx + size / 2]);
      }
      const indices = tf.tensor1d(
        Array.from({ length: b }, (_, i) => i),
        'int32',
      );
      x = tf.image.cropAndResize(x, tf.tensor2d(boxes), indices, [h, w], 'bilinear', 0);
    }
    return x === images ? images.clone() : x;
  });
}
