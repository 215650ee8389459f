/**
 * Similarity relative to a developed source: the statistics recorded on the source's own training images, and the
 * divergence of other data sets from them (stable run to run, unlike the fraction of inactive features).
 */
import {
  ADVISOR_THRESHOLDS,
  advise,
  disposeWeights,
  measureSimilarity,
  recordSourceStatistics,
  train,
} from '@graft/core';
import { tf } from '@graft/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainingBackend } from './helpers/backend.js';
import { mnistImages } from './helpers/mnist.js';

let source: Awaited<ReturnType<typeof train>>;
let sourceImages: tf.Tensor4D;

beforeAll(async () => {
  await trainingBackend();
  const { images, labels } = mnistImages([0, 1, 2], 60);
  sourceImages = images;
  source = await train(
    {
      strategy: 'develop',
      architecture: 'mnist-cnn',
      images,
      labels,
      classNames: ['0', '1', '2'],
      architectureOptions: { filters: 8 },
    },
    { epochs: 2, batchSize: 32, seed: 1, validation: 0.1 },
  );
});

afterAll(() => {
  if (source) disposeWeights([source.model, source.backbone!.model]);
  sourceImages?.dispose();
});

describe('source statistics', () => {
  it('records per-channel moments at every spatial cut and the features, and measures against them repeatably', async () => {
    const backbone = source.backbone!;
    const before = tf.memory().numTensors;
    const stats = await recordSourceStatistics(backbone, sourceImages);
    expect(stats).toMatchObject({ method: 'source-statistics', images: 180, inputSize: 28 });
    expect(stats.layers.map((l) => l.name)).toContain('features');
    const same = mnistImages([0, 1, 2], 30, { skip: 60 });
    const other = mnistImages([5, 6, 7], 30);
    try {
      const a = await measureSimilarity(backbone, same.images, { source: stats });
      const again = await measureSimilarity(backbone, same.images, { source: stats });
      const b = await measureSimilarity(backbone, other.images, { source: stats });
      expect(a.method).toBe('source-statistics');
      expect(again.score).toBe(a.score);
      expect(a.layers.map((l) => l.name)).toEqual(stats.layers.map((l) => l.name));
      // Held-out images of the source's own classes are nearer to it than digits it never saw.
      expect(a.score).toBeLessThan(b.score);
      const own = await measureSimilarity(backbone, sourceImages, { source: stats });
      expect(own.score).toBeLessThan(0.05); // the first 64 of the images the statistics were recorded on
      const advice = advise({ counts: [20, 20, 20], similarity: a, backbone });
      expect(advice.explanation).toContain(`similar up to ${ADVISOR_THRESHOLDS.similarSourceScore}`);
    } finally {
      tf.dispose([same.images, other.images]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses statistics recorded for another input size', async () => {
    const stats = await recordSourceStatistics(source.backbone!, sourceImages);
    await expect(
      measureSimilarity(source.backbone!, sourceImages, { source: { ...stats, inputSize: 96 } }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
