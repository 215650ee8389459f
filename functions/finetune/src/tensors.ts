import { tf } from '@graft/runtime';

/** Rows per `predict` call when a job runs stored activations or features through a model. */
export const PREDICT_BATCH_SIZE = 64;

/**
 * Stacks flat rows of one shape into one `[rows.length, ...shape]` tensor (stored activations → a batch).
 *
 * @example
 * ```ts
 * const x = stack(gathered.activations, gathered.shape); // [n, 12, 12, 32]
 * ```
 */
export function stack(rows: Float32Array[], shape: number[]): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const flat = new Float32Array(rows.length * size);
  rows.forEach((row, i) => {
    flat.set(row, i * size);
  });
  return tf.tensor(flat, [rows.length, ...shape]);
}
