import { tf } from '@graft/runtime';

/**
 * Smooth, photo-like synthetic RGB images in [0, 255]: 1/f ("pink") noise built from random fields at
 * octave scales (amplitude ∝ scale), with a shared luminance and correlated colour channels, plus a
 * vertical illumination gradient — the power spectrum natural images have.
 */
export function naturalImages(n: number, size: number, seed = 1): tf.Tensor4D {
  return tf.tidy(() => {
    let lum = tf.zeros([n, size, size, 1]) as tf.Tensor4D;
    let colour = tf.zeros([n, size, size, 3]) as tf.Tensor4D;
    let s = 0;
    for (let res = 2; res <= size; res *= 2, s++) {
      const amp = 1 / res;
      const l = tf.image.resizeBilinear(
        tf.randomNormal([n, res, res, 1], 0, 1, 'float32', seed + s) as tf.Tensor4D,
        [size, size],
      );
      const c = tf.image.resizeBilinear(
        tf.randomNormal([n, res, res, 3], 0, 1, 'float32', seed + 100 + s) as tf.Tensor4D,
        [size, size],
      );
      lum = tf.add(lum, tf.mul(l, amp));
      colour = tf.add(colour, tf.mul(c, amp * 0.35));
    }
    const tint = tf.randomUniform([n, 1, 1, 3], -0.3, 0.3, 'float32', seed + 7);
    const gradient = tf.linspace(0.25, -0.25, size).reshape([1, size, 1, 1]);
    const img = tf.add(tf.add(tf.add(lum, colour), tint), gradient);
    // normalise each image to a natural contrast around mid-grey
    const { mean, variance } = tf.moments(img, [1, 2, 3], true);
    const z = tf.div(tf.sub(img, mean), tf.sqrt(tf.add(variance, 1e-6)));
    return tf.clipByValue(tf.add(tf.mul(z, 55), 120), 0, 255) as tf.Tensor4D;
  });
}
