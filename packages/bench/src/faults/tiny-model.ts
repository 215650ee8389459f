/**
 * A tiny but real Graft model for the API fault scenarios: an 8×8 conv backbone, a feature-extraction head
 * trained by `@graft/core`'s `train` to tell dark from light images, bundled with `createBundle` +
 * `bundleToFiles` (the files a training job publishes). Building one takes well under a second.
 */
import { type BundleFiles, backboneFromModel, bundleToFiles, createBundle, train } from '@graft/core';
import { encodePng } from '@graft/imaging';
import { initBackend, tf } from '@graft/runtime';

/**
 * Labels of the tiny model, in output order.
 *
 * @example
 * ```ts
 * TINY_LABELS[0]; // 'dark'
 * ```
 */
export const TINY_LABELS = ['dark', 'light'] as const;

/**
 * Builds and trains the tiny bundle; `seed` changes the initial weights (so versions differ).
 *
 * @example
 * ```ts
 * const files = await tinyModelFiles(2);
 * await registry.publish('tiny', { ...files, report: {} });
 * ```
 */
export async function tinyModelFiles(seed = 1): Promise<BundleFiles> {
  await initBackend();
  const input = tf.input({ shape: [8, 8, 3], name: 'image' });
  const conv = tf.layers
    .conv2d({
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      name: 'conv1',
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
      biasInitializer: 'ones',
    })
    .apply(input) as tf.SymbolicTensor;
  const backbone = backboneFromModel(tf.model({ inputs: input, outputs: conv, name: 'tiny' }), {
    name: 'tiny',
    featuresLayer: 'conv1',
    preprocessing: { scale: 1 / 255, offset: 0 },
    inputSize: 8,
  });
  const values = Array.from({ length: 32 }, (_, i) => (i < 16 ? i * 4 : 190 + (i - 16) * 4));
  const labels = values.map((_, i) => (i < 16 ? 0 : 1));
  const images = tf.tidy(() => tf.stack(values.map((v) => tf.fill([8, 8, 3], v / 255)))) as tf.Tensor4D;
  const features = backbone.model.predict(images) as tf.Tensor;
  const result = await train(
    { strategy: 'feature-extraction', features, labels, classNames: [...TINY_LABELS] },
    { epochs: 60, batchSize: 32, learningRate: 0.05, head: { hidden: 0 }, seed },
  );
  tf.dispose([images, features]);
  const bundle = createBundle({ backbone, result, labels: [...TINY_LABELS], metrics: { accuracy: 1, seed } });
  const files = await bundleToFiles(bundle);
  bundle.model.dispose();
  return files;
}

/**
 * A uniform gray PNG (`value` 0–255), the request body of the load loops.
 *
 * @example
 * ```ts
 * const dark = await grayPng(20);
 * ```
 */
export async function grayPng(value: number, side = 16): Promise<Uint8Array<ArrayBuffer>> {
  const data = new Uint8ClampedArray(side * side * 4).fill(value);
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  return new Uint8Array(await encodePng({ width: side, height: side, data }));
}
