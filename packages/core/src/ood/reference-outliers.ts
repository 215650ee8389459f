import { tf } from '@graft/runtime';

/**
 * The kinds of {@link referenceOutliers}, in order (an equal share each).
 *
 * @example
 * ```ts
 * REFERENCE_OUTLIER_KINDS; // ['uniform noise', 'gaussian noise', 'solid colour', 'gradient', 'stripes']
 * ```
 */
export const REFERENCE_OUTLIER_KINDS = [
  'uniform noise',
  'gaussian noise',
  'solid colour',
  'gradient',
  'stripes',
];

/**
 * A fixed, seeded set of images that belong to no data set's labels — uniform and Gaussian noise, solid colours,
 * gradients and stripes — as pixel values in [0, 255], `[count, size, size, channels]`. The training job scores
 * them to show a model's validation scores against outliers (the report's OOD chart); the caller disposes.
 *
 * @example
 * ```ts
 * const pixels = referenceOutliers({ size: 96, channels: 3, count: 40 });
 * const x = tf.tidy(() => tf.add(tf.mul(pixels, scale), offset)); // the model's preprocessing
 * ```
 */
export function referenceOutliers(options: {
  size: number;
  channels: number;
  count?: number;
  seed?: number;
}): tf.Tensor4D {
  const { size, channels } = options;
  const count = options.count ?? 40;
  const seed = options.seed ?? 17;
  return tf.tidy(() => {
    const per = Math.ceil(count / REFERENCE_OUTLIER_KINDS.length);
    const shape: [number, number, number, number] = [per, size, size, channels];
    const uniform = tf.randomUniform(shape, 0, 255, 'float32', seed);
    const gaussian = tf.clipByValue(tf.randomNormal(shape, 128, 64, 'float32', seed + 1), 0, 255);
    const solid = tf.mul(
      tf.ones(shape),
      tf.randomUniform([per, 1, 1, channels], 0, 255, 'float32', seed + 2),
    );
    const ramp = tf.div(tf.range(0, size, 1, 'float32'), Math.max(1, size - 1));
    const horizontal = tf.tile(tf.reshape(ramp, [1, 1, size, 1]), [per, size, 1, channels]);
    const vertical = tf.tile(tf.reshape(ramp, [1, size, 1, 1]), [per, 1, size, channels]);
    const mix = tf.randomUniform([per, 1, 1, 1], 0, 1, 'float32', seed + 3);
    const gradient = tf.mul(tf.add(tf.mul(horizontal, mix), tf.mul(vertical, tf.sub(1, mix))), 255);
    const period = tf.randomUniform([per, 1, 1, 1], 2, 12, 'float32', seed + 4);
    const stripes = tf.mul(tf.step(tf.sin(tf.div(tf.mul(horizontal, size * Math.PI), period))), 255);
    return tf.concat([uniform, gaussian, solid, gradient, stripes]).slice(0, count) as tf.Tensor4D;
  });
}
