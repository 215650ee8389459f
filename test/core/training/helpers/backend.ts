import { initBackend, tf } from '@graft/runtime';

/**
 * Initialises the runtime; when the wasm backend cannot yet train conv layers (no `Conv2DBackpropFilter`
 * kernel registered), falls back to the cpu backend so conv training tests still run (tiny sizes).
 */
export async function trainingBackend(): Promise<string> {
  await initBackend();
  if (tf.getBackend() === 'wasm' && !tf.getKernel('Conv2DBackpropFilter', 'wasm')) await tf.setBackend('cpu');
  return tf.getBackend();
}

/** Fraction of rows of `probs` whose arg-max equals the label. */
export function accuracy(probs: tf.Tensor, labels: number[]): number {
  return tf.tidy(
    () =>
      tf
        .mean(tf.cast(tf.equal(tf.argMax(probs, -1), tf.tensor1d(labels, 'int32')), 'float32'))
        .dataSync()[0]!,
  );
}
