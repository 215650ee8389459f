import { tf } from '@graft/runtime';

const EPS = 1e-7;

/**
 * Mean of `weight_i · −log p_i[y_i]` over a batch of probabilities (Keras' categorical cross-entropy with
 * sample weights). Probabilities are clipped to [1e-7, 1 − 1e-7].
 *
 * @example
 * ```ts
 * const loss = weightedCrossEntropy(probs, tf.oneHot(labels, 3), tf.ones([n])); // scalar
 * ```
 */
export function weightedCrossEntropy(probs: tf.Tensor, oneHot: tf.Tensor, weights?: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const perSample = tf.neg(tf.sum(tf.mul(oneHot, tf.log(tf.clipByValue(probs, EPS, 1 - EPS))), -1));
    return tf.mean(weights ? tf.mul(perSample, weights) : perSample) as tf.Scalar;
  });
}
