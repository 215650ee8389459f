/**
 * The cost probe `auto` runs before an expensive candidate: one real training step over blank images, on a real
 * (tiny) tfjs model, leaving the model as it was.
 */

import { initBackend, tf } from '@graft/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { estimateTrainingSeconds } from '../../../functions/finetune/src/cost-estimate.js';
import { TINY_SIZE, tinyCnn } from '../../backbones/tiny-cnn.js';

beforeAll(async () => {
  await initBackend();
});

describe('estimateTrainingSeconds', () => {
  it('times a training step, counts it per image and epoch, and changes nothing', async () => {
    const model = tinyCnn();
    const backbone = { model, inputSize: TINY_SIZE, inputChannels: 3 };
    const weightsBefore = model.getWeights().map((w) => w.dataSync().slice());
    const tensorsBefore = tf.memory().numTensors;

    const estimate = await estimateTrainingSeconds({ backbone, trainImages: 200, valImages: 0, epochs: 5 });
    expect(estimate.stepPerImage).toBeGreaterThan(0);
    expect(estimate.seconds).toBeCloseTo(estimate.stepPerImage * 200 * 5, 10);
    expect(estimate.basis).toMatch(/^\d+ ms per image per training step × 200 images × 5 epochs$/);

    const withVal = await estimateTrainingSeconds({ backbone, trainImages: 200, valImages: 100, epochs: 5 });
    expect(withVal.seconds).toBeGreaterThan(withVal.stepPerImage * 200 * 5);

    expect(tf.memory().numTensors).toBe(tensorsBefore);
    model.getWeights().forEach((w, i) => {
      expect(w.dataSync()).toEqual(weightsBefore[i]);
    });
    model.dispose();
  });

  it('estimates a frozen model through the gradients of its input', async () => {
    const model = tinyCnn(2);
    for (const layer of model.layers) layer.trainable = false;
    const estimate = await estimateTrainingSeconds({
      backbone: { model, inputSize: TINY_SIZE, inputChannels: 3 },
      trainImages: 10,
      valImages: 2,
      epochs: 1,
    });
    expect(estimate.seconds).toBeGreaterThan(0);
    model.dispose();
  });
});
