import { initBackend, tf } from '@graft/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidTrainingInputError,
  type ProgressEvent,
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
});
