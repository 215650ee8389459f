import { initBackend, tf } from '@graft/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { train } from '../../../packages/core/src/training/index.js';
import { seedDropoutMasks } from '../../../packages/core/src/training/seeded-dropout.js';
import { mnistImages } from './helpers/mnist.js';

beforeAll(async () => {
  await initBackend();
});

function dropoutModel(): tf.LayersModel {
  const input = tf.input({ shape: [64] });
  const out = tf.layers.dropout({ rate: 0.5 }).apply(input) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** The positions a training-mode pass of `model` zeroes in a batch of ones. */
function mask(model: tf.LayersModel): number[] {
  return tf.tidy(() =>
    Array.from((model.apply(tf.ones([4, 64]), { training: true }) as tf.Tensor).dataSync()),
  );
}

describe('seeded dropout masks', () => {
  it('draws a fresh mask per batch, the same sequence from the same seed, and puts the layer seed back', () => {
    const inner = dropoutModel();
    // Nested: the dropout layer sits in a model used as a layer.
    const input = tf.input({ shape: [64] });
    const outer = tf.model({ inputs: input, outputs: inner.apply(input) as tf.SymbolicTensor });
    const run = (seed: number) => {
      const masks = seedDropoutMasks([null, outer], seed);
      try {
        return [1, 2, 3].map(() => {
          masks.next();
          return mask(outer);
        });
      } finally {
        masks.restore();
      }
    };
    const before = tf.memory().numTensors;
    const a = run(7);
    expect(run(7)).toEqual(a);
    expect(a[1]).not.toEqual(a[0]);
    expect(a[2]).not.toEqual(a[1]);
    expect(run(8)).not.toEqual(a);
    expect(a[0]!.filter((v) => v === 0).length).toBeGreaterThan(0);
    expect((inner.layers[1] as unknown as { seed?: number }).seed).toBeUndefined();
    expect(tf.memory().numTensors).toBe(before);
    outer.dispose();
  });

  it('makes a head with dropout trained twice with the same seed the same head', async () => {
    const { images, labels } = mnistImages([0, 1, 2], 30, { size: 10 });
    const features = tf.tidy(() => images.reshape([labels.length, 100]));
    images.dispose();
    const predictions = async () => {
      const r = await train(
        { strategy: 'feature-extraction', features, labels, classNames: ['0', '1', '2'] },
        { epochs: 3, batchSize: 16, seed: 5, head: { hidden: 32, dropout: 0.5 }, validation: 0.2 },
      );
      const p = tf.tidy(() => Array.from((r.model.predict(features) as tf.Tensor).dataSync()));
      r.model.dispose(); // the head itself (feature extraction)
      return p;
    };
    expect(await predictions()).toEqual(await predictions());
    features.dispose();
  });
});
