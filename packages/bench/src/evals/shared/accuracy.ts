import { tf } from '@graft/runtime';

/**
 * Top-1 accuracy of a classifier over `x` (predicted in batches, nothing kept).
 *
 * @example
 * ```ts
 * const acc = accuracyOf(result.model, testX, testLabels); // 0.91
 * ```
 */
export function accuracyOf(
  model: tf.LayersModel,
  x: tf.Tensor,
  labels: ArrayLike<number>,
  batchSize = 256,
): number {
  const predicted = tf.tidy(() => (model.predict(x, { batchSize }) as tf.Tensor).argMax(-1).dataSync());
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
  return correct / Math.max(1, labels.length);
}
