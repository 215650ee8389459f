import { evals } from '@graft/bench';
import { initBackend, tf } from '@graft/runtime';
import { describe, expect, it } from 'vitest';

const { run } = await evals.fashion();

// A quick variant of `graft eval fashion` (the full run pushes 70,000 images through MobileNetV2): real
// Fashion-MNIST images, the real trunk and both strategies on a few hundred images.
describe('eval fashion (quick variant)', () => {
  it('scores feature extraction and freeze-k above chance on Fashion-MNIST and leaks nothing', async () => {
    await initBackend();
    const before = tf.memory().numTensors;
    const result = await run(
      { train: '300', test: '100', epochs: '1', hidden: '64', dropout: '0.2' },
      () => {},
    );
    expect(result).toMatchObject({
      inputSize: 96,
      head: { hidden: 64, dropout: 0.2 },
      trainImages: 300,
      testImages: 100,
      cut: 'block_16_project_BN',
    });
    expect(Object.keys(result)).toEqual(
      expect.arrayContaining([
        'featureExtraction',
        'featureExtractionGlobal',
        'freezeK',
        'k',
        'inputSize',
        'trainImages',
        'testImages',
        'seconds',
        'anchors',
      ]),
    );
    expect(result.anchors).toEqual({
      frozenMobileNetV2DenseHead: 0.908,
      mobileNetTrainedWithAugmentation: 0.95,
    });
    expect(result.k).toBeGreaterThan(100);
    // 10 classes: chance is 0.1.
    expect(result.featureExtraction).toBeGreaterThan(0.4);
    expect(result.featureExtractionGlobal).toBeGreaterThan(0.4);
    expect(result.featureLayer).toMatch(/3 × 3 regions, standardised, 5184-d; whole map: 576-d/);
    expect(result.freezeK).toBeGreaterThan(0.15);
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000);
});
