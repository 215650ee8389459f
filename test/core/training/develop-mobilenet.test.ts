import { tf } from '@graft/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBackbone } from '../../../packages/core/src/backbone/index.js';
import { train, UnknownStrategyError } from '../../../packages/core/src/training/index.js';
import { trainingBackend } from './helpers/backend.js';
import { naturalImages } from './helpers/natural.js';

beforeAll(async () => {
  await trainingBackend();
});

describe('develop: mobilenet_v2 architecture only', () => {
  it('re-initialises MobileNetV2, trains it and returns a backbone with MobileNetV2 cuts', async () => {
    const pretrained = await loadBackbone(undefined, { inputSize: 96 });
    const images = tf.tidy(() => tf.sub(tf.div(naturalImages(8, 96, 3), 127.5), 1) as tf.Tensor4D);
    const before = tf.memory().numTensors;
    const result = await train(
      {
        strategy: 'develop',
        architecture: 'mobilenet_v2',
        images,
        labels: [0, 1, 0, 1, 0, 1, 0, 1],
        classNames: ['a', 'b'],
        preprocessing: { scale: 1 / 127.5, offset: -1 },
      },
      { epochs: 1, batchSize: 8, seed: 2 },
    );
    const bb = result.backbone!;
    expect(bb.name).toBe('mobilenet_v2');
    expect(bb.inputSize).toBe(96);
    expect(bb.cuts.at(-1)!.outputShape).toEqual([1280]);
    expect(result.history).toHaveLength(1);
    expect(Number.isFinite(result.history[0]!.loss)).toBe(true);
    // fresh weights: the first conv differs from the pretrained one
    const a = pretrained.model.layers.find((l) => l.getClassName() === 'Conv2D')!.getWeights()[0]!;
    const b = bb.model.layers.find((l) => l.getClassName() === 'Conv2D')!.getWeights()[0]!;
    expect(a.shape).toEqual(b.shape);
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(b.dataSync()));
    expect(tf.memory().numTensors - before).toBe(result.model.weights.length);
    result.model.dispose();
    pretrained.model.dispose();
    images.dispose();
  }, 600_000);

  it('rejects an unknown architecture', async () => {
    const images = tf.zeros([2, 8, 8, 1]) as tf.Tensor4D;
    await expect(
      train({
        strategy: 'develop',
        architecture: 'resnet' as 'mnist-cnn',
        images,
        labels: [0, 1],
        classNames: ['a', 'b'],
      }),
    ).rejects.toBeInstanceOf(UnknownStrategyError);
    images.dispose();
  });
});
