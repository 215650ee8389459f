import { computeActivations } from '@graft/core';
import { tf } from '@graft/runtime';
import { PREDICT_BATCH_SIZE } from './tensors.js';

/**
 * Accuracy of `model` on `x` against `labels` (the arg-max of its output per row).
 *
 * @example
 * ```ts
 * const valAccuracy = accuracyOf(result.model, prepared.val.x, toLabels(prepared.val.uploads));
 * ```
 */
export function accuracyOf(
  model: { predict(x: tf.Tensor): tf.Tensor | tf.Tensor[] },
  x: tf.Tensor,
  labels: number[],
) {
  if (labels.length === 0) return Number.NaN;
  const scores = computeActivations(model, x, PREDICT_BATCH_SIZE);
  try {
    const predicted = tf.tidy(() => tf.argMax(scores, -1).dataSync());
    let right = 0;
    labels.forEach((label, i) => {
      if (predicted[i] === label) right++;
    });
    return right / labels.length;
  } finally {
    scores.dispose();
  }
}
