/**
 * A tiny but real Graft bundle for API tests: an 8×8 conv backbone (built with `@graft/core`'s
 * `backboneFromModel`), a feature-extraction head trained by `train` to tell dark from light images, then
 * `createBundle` + `bundleToFiles` — the same files the finetune job publishes.
 */
import { type BundleFiles, backboneFromModel, bundleToFiles, createBundle, train } from '@graft/core';
import { initBackend, tf } from '@graft/runtime';

/** Labels of the tiny model, in output order. */
export const TINY_LABELS = ['dark', 'light'];

/**
 * Builds and trains the tiny bundle; `seed` changes the initial weights (so versions differ).
 *
 * @example
 * ```ts
 * const files = await tinyBundleFiles(1);
 * ```
 */
export async function tinyBundleFiles(seed = 1): Promise<BundleFiles> {
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
  const base = tf.model({ inputs: input, outputs: conv, name: 'tiny' });
  const backbone = backboneFromModel(base, {
    name: 'tiny',
    featuresLayer: 'conv1',
    preprocessing: { scale: 1 / 255, offset: 0 },
    inputSize: 8,
  });
  // 16 dark (0..60) and 16 light (190..250) uniform images, preprocessed like toModelInput does.
  const values = Array.from({ length: 32 }, (_, i) => (i < 16 ? i * 4 : 190 + (i - 16) * 4));
  const labels = values.map((_, i) => (i < 16 ? 0 : 1));
  const images = tf.tidy(() => tf.stack(values.map((v) => tf.fill([8, 8, 3], v / 255)))) as tf.Tensor4D;
  const features = backbone.model.predict(images) as tf.Tensor;
  const result = await train(
    { strategy: 'feature-extraction', features, labels, classNames: TINY_LABELS },
    { epochs: 60, batchSize: 32, learningRate: 0.05, head: { hidden: 0 }, seed },
  );
  tf.dispose([images, features]);
  const bundle = createBundle({ backbone, result, labels: TINY_LABELS, metrics: { accuracy: 1, seed } });
  const files = await bundleToFiles(bundle);
  bundle.model.dispose();
  return files;
}
