import type { Preprocessing } from '@graft/core';
import { tf } from '@graft/runtime';

/** Labelled 28×28 gray images as a tensor: `x` is `[n, 28, 28, 1]` in [0, 1], labels re-indexed from 0. */
export interface GraySplit {
  x: tf.Tensor4D;
  labels: number[];
}

/**
 * Stacks 28×28 gray images (bytes 0–255) picked by `indexes` into `[n, 28, 28, 1]` scaled to [0, 1].
 *
 * @example
 * ```ts
 * const x = grayTensor(set.images, [0, 1, 2]); // [3, 28, 28, 1]
 * x.dispose();
 * ```
 */
export function grayTensor(images: ArrayLike<number>[], indexes: number[], side = 28): tf.Tensor4D {
  const pixels = side * side;
  const data = new Float32Array(indexes.length * pixels);
  indexes.forEach((i, n) => {
    const image = images[i]!;
    for (let p = 0; p < pixels; p++) data[n * pixels + p] = image[p]! / 255;
  });
  return tf.tensor4d(data, [indexes.length, side, side, 1]);
}

/**
 * Turns gray images in [0, 1] into a backbone's input: bilinear resize to `size`, the gray channel repeated
 * into RGB, then `pixel·scale + offset` with pixels in 0–255 (the backbone's preprocessing).
 *
 * @example
 * ```ts
 * const input = tf.tidy(() => toBackboneInput(gray, 96, backbone.preprocessing)); // [n, 96, 96, 3]
 * ```
 */
export function toBackboneInput(gray: tf.Tensor4D, size: number, preprocessing: Preprocessing): tf.Tensor4D {
  return tf.tidy(() => {
    const resized = gray.shape[1] === size ? gray : tf.image.resizeBilinear(gray, [size, size]);
    const rgb = tf.tile(resized, [1, 1, 1, 3]);
    return tf.add(tf.mul(rgb, 255 * preprocessing.scale), preprocessing.offset) as tf.Tensor4D;
  });
}
