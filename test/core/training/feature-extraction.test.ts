import { initBackend, tf } from '@graft/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  gridPooling,
  InvalidTrainingInputError,
  InvalidTrainingOptionsError,
  type ProgressEvent,
  poolActivations,
  train,
} from '../../../packages/core/src/training/index.js';
import { mnistImages } from './helpers/mnist.js';

beforeAll(async () => {
  await initBackend();
});

/** 14×14 MNIST pixels as 196-d "features". */
function digitFeatures(perClass: number, skip = 0) {
  const { images, labels } = mnistImages([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], perClass, { size: 14, skip });
  const features = tf.tidy(() => images.reshape([labels.length, 196]));
  images.dispose();
  return { features, labels };
}

const classNames = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

describe('train: feature-extraction', () => {
  it('learns MNIST digits far above chance, reports progress, and leaks no tensors', async () => {
    const { features, labels } = digitFeatures(40);
    const test = digitFeatures(20, 500);
    const before = tf.memory().numTensors;
    const events: ProgressEvent[] = [];
    const result = await train(
      { strategy: 'feature-extraction', features, labels, classNames },
      {
        epochs: 15,
        batchSize: 32,
        learningRate: 0.01,
        head: { hidden: 32, dropout: 0.1 },
        validation: 0.2,
        seed: 3,
      },
      (e) => events.push(e),
    );
    const acc = tf.tidy(
      () =>
        tf
          .mean(
            tf.cast(
              tf.equal(
                tf.argMax(result.model.predict(test.features) as tf.Tensor, -1),
                tf.tensor1d(test.labels, 'int32'),
              ),
              'float32',
            ),
          )
          .dataSync()[0],
    )!;
    expect(acc).toBeGreaterThan(0.7);
    expect(result.history).toHaveLength(15);
    expect(result.history.at(-1)!.valAcc).toBeGreaterThan(0.6);
    const epochEvents = events.filter((e) => e.type === 'epoch');
    expect(epochEvents).toHaveLength(15);
    expect(events.filter((e) => e.type === 'batch')).toHaveLength(15 * 10);
    expect(epochEvents[0]).toMatchObject({ phase: 'train', epoch: 0, epochs: 15, batches: 10 });
    expect(epochEvents[0]!.valLoss).toBeTypeOf('number');
    expect(result.history.at(-1)!.loss).toBeLessThan(result.history[0]!.loss);
    result.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([features, test.features]);
  });

  it('rejects labels that do not match the data', async () => {
    const features = tf.zeros([4, 3]);
    await expect(
      train(
        { strategy: 'feature-extraction', features, labels: [0, 1, 2], classNames: ['a', 'b'] },
        { epochs: 1 },
      ),
    ).rejects.toBeInstanceOf(InvalidTrainingInputError);
    await expect(
      train(
        { strategy: 'feature-extraction', features, labels: [0, 1, 2, 1], classNames: ['a', 'b'] },
        { epochs: 1 },
      ),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    features.dispose();
  });

  it('pools [h, w, c] activations over a grid of regions when head.grid > 1, and the saved head does the same', async () => {
    // 14×14 digits as one-channel maps: their global average is little more than ink, their 3 × 3 regions a shape.
    const maps = (perClass: number, skip = 0) => {
      const { images, labels } = mnistImages([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], perClass, { size: 14, skip });
      return { features: images as tf.Tensor4D, labels };
    };
    const trainSet = maps(40);
    const test = maps(20, 500);
    const before = tf.memory().numTensors;
    const accuracy = async (grid: number) => {
      const result = await train(
        { strategy: 'feature-extraction', features: trainSet.features, labels: trainSet.labels, classNames },
        { epochs: 30, batchSize: 32, learningRate: 0.01, head: { hidden: 32, grid }, seed: 3 },
      );
      const pool = result.model.layers.find((l) => l.name.endsWith('pool'))!;
      const acc = tf.tidy(() => {
        const predicted = tf.argMax(result.model.predict(test.features) as tf.Tensor, -1);
        return tf
          .mean(tf.cast(tf.equal(predicted, tf.tensor1d(test.labels, 'int32')), 'float32'))
          .dataSync()[0]!;
      });
      const layer = pool.getClassName();
      result.model.dispose();
      return { acc, layer };
    };
    const global = await accuracy(1);
    const regions = await accuracy(3);
    expect(global.layer).toBe('GlobalAveragePooling2D');
    expect(regions.layer).toBe('AveragePooling2D');
    expect(global.acc).toBeLessThan(0.4);
    expect(regions.acc).toBeGreaterThan(0.6);
    expect(regions.acc).toBeGreaterThan(global.acc + 0.2);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([trainSet.features, test.features]);
  });

  it('lays the regions over the map evenly and pools as the saved head does', () => {
    expect(gridPooling([6, 6, 576], 3)).toEqual({ poolSize: [2, 2], strides: [2, 2] });
    expect(gridPooling([7, 7, 1280], 3)).toEqual({ poolSize: [3, 3], strides: [2, 2] });
    expect(gridPooling([14, 10, 8], 3)).toEqual({ poolSize: [6, 4], strides: [4, 3] });
    expect(gridPooling([8, 8, 576], 3)).toEqual({ poolSize: [4, 4], strides: [2, 2] });
    // Every row of every map side is inside some window, and there are exactly g windows.
    for (let side = 2; side <= 16; side++)
      for (const g of [2, 3, 4]) {
        const { poolSize, strides } = gridPooling([side, side, 1], g)!;
        const n = Math.min(g, side);
        expect(Math.floor((side - poolSize[0]) / strides[0]) + 1).toBe(n);
        const covered = new Set<number>();
        for (let k = 0; k < n; k++) for (let r = 0; r < poolSize[0]; r++) covered.add(k * strides[0] + r);
        expect([...covered].sort((a, b) => a - b)).toEqual([...Array(side).keys()]);
      }
    expect(gridPooling([2, 2, 8], 3)).toEqual({ poolSize: [1, 1], strides: [1, 1] });
    expect(gridPooling([1, 1, 8], 3)).toBeUndefined();
    expect(gridPooling([6, 6, 8], 1)).toBeUndefined();
    expect(gridPooling([1280], 3)).toBeUndefined();
    const out = tf.tidy(() => {
      // Channel 0 holds the row index, channel 1 the column: each region's mean says where it lies.
      const rows = tf.tile(tf.reshape(tf.range(0, 6), [1, 6, 1, 1]), [1, 1, 6, 1]);
      const cols = tf.tile(tf.reshape(tf.range(0, 6), [1, 1, 6, 1]), [1, 6, 1, 1]);
      return poolActivations(tf.concat([rows, cols], 3) as tf.Tensor4D, 3).arraySync();
    });
    expect(out).toEqual([
      [0.5, 0.5, 0.5, 2.5, 0.5, 4.5, 2.5, 0.5, 2.5, 2.5, 2.5, 4.5, 4.5, 0.5, 4.5, 2.5, 4.5, 4.5],
    ]);
  });

  it('refuses a grid it cannot build', async () => {
    const features = tf.zeros([4, 3, 3, 2]);
    await expect(
      train(
        { strategy: 'feature-extraction', features, labels: [0, 1, 0, 1], classNames: ['a', 'b'] },
        { epochs: 1, head: { grid: 9 } },
      ),
    ).rejects.toBeInstanceOf(InvalidTrainingOptionsError);
    features.dispose();
  });
});
