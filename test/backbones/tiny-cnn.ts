/**
 * A tiny but real tfjs Keras classifier for the backbone tests: 16×16 RGB → conv → max-pool → conv → global
 * average pooling → softmax over 3 classes. Saved as a tfjs layers-model folder it is what a user registers.
 */
import { tf } from '@graft/runtime';
import { saveModelDir } from '../core/backbone/helpers.js';

export const TINY_SIZE = 16;
export const TINY_PREPROCESSING = { scale: 1 / 255, offset: 0 };

/** The classifier; `seed` changes its weights (other weights, same architecture). */
export function tinyCnn(seed = 1): tf.LayersModel {
  const init = (offset: number) => tf.initializers.glorotUniform({ seed: seed * 10 + offset });
  const input = tf.input({ shape: [TINY_SIZE, TINY_SIZE, 3], name: 'image' });
  const conv = (name: string, filters: number, offset: number) =>
    tf.layers.conv2d({
      name,
      filters,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(offset),
      biasInitializer: 'ones',
    });
  let x = conv('conv1', 8, 1).apply(input) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }).apply(x) as tf.SymbolicTensor;
  x = conv('conv2', 16, 2).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 3, activation: 'softmax', name: 'logits', kernelInitializer: init(3) })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'tiny_cnn' });
}

/** Saves a {@link tinyCnn} as a tfjs layers-model folder (`model.json` + `weights.bin`) and returns the model. */
export async function saveTinyCnn(dir: string, seed = 1): Promise<tf.LayersModel> {
  const model = tinyCnn(seed);
  await saveModelDir(model, dir, { preprocessing: TINY_PREPROCESSING });
  return model;
}

/** What the registered backbone must compute: conv2's activations, averaged over space. */
export function tinyFeatures(model: tf.LayersModel, x: tf.Tensor4D): tf.Tensor {
  return tf.tidy(() => {
    const conv2 = tf.model({
      inputs: model.inputs,
      outputs: model.getLayer('conv2').output as tf.SymbolicTensor,
    });
    return tf.mean(conv2.predict(x) as tf.Tensor, [1, 2]);
  });
}

/** `n` deterministic images in [0, 1] after preprocessing, [n, size, size, 3]. */
export function tinyImages(n: number, size = TINY_SIZE): tf.Tensor4D {
  return tf.tidy(() => tf.randomUniform([n, size, size, 3], 0, 1, 'float32', 7) as tf.Tensor4D);
}
