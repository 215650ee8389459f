import { initBackend, tf } from '@graft/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backbone, backboneFromModel, loadBackbone } from '../../../packages/core/src/backbone/index.js';
import {
  ADVISOR_THRESHOLDS,
  advise,
  InvalidTrainingInputError,
  measureSimilarity,
  mnistCnn,
  type SimilarityMeasure,
  symmetricGaussianKl,
} from '../../../packages/core/src/training/index.js';
import { mnistImages } from './helpers/mnist.js';
import { naturalImages } from './helpers/natural.js';

let backbone: Backbone;
const SIZE = 96;
const preprocess = (x: tf.Tensor4D, b: Backbone) =>
  tf.tidy(() => tf.add(tf.mul(x, b.preprocessing.scale), b.preprocessing.offset) as tf.Tensor4D);

beforeAll(async () => {
  await initBackend();
  backbone = await loadBackbone(undefined, { inputSize: SIZE });
});
afterAll(() => backbone?.model.dispose());

describe('measureSimilarity', () => {
  it('symmetric KL is 0 for equal Gaussians and grows with the gap', () => {
    expect(symmetricGaussianKl(0, 1, 0, 1)).toBe(0);
    expect(symmetricGaussianKl(1, 1, 0, 1)).toBeCloseTo(0.5, 10);
    expect(symmetricGaussianKl(0, 4, 0, 1)).toBeGreaterThan(symmetricGaussianKl(0, 2, 0, 1));
  });

  it('measures MNIST digits as less similar to ImageNet MobileNetV2 than photo-like images', async () => {
    const digits = mnistImages([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 3, { size: SIZE, channels: 3 });
    const digitInput = tf.tidy(() => preprocess(tf.mul(digits.images, 255) as tf.Tensor4D, backbone));
    const natural = naturalImages(30, SIZE, 5);
    const naturalInput = preprocess(natural, backbone);
    const before = tf.memory().numTensors;
    const simDigits = await measureSimilarity(backbone, digitInput);
    const simNatural = await measureSimilarity(backbone, naturalInput);
    expect(tf.memory().numTensors).toBe(before);
    console.log('similarity: digits', simDigits.score.toFixed(3), 'natural', simNatural.score.toFixed(3));
    expect(simDigits.method).toBe('bn-statistics');
    expect(simDigits.layers.length).toBeGreaterThan(10);
    expect(simDigits.score).toBeGreaterThan(simNatural.score * 1.5);
    expect(simDigits.score).toBeGreaterThan(ADVISOR_THRESHOLDS.similarBnScore);
    expect(simNatural.score).toBeLessThanOrEqual(ADVISOR_THRESHOLDS.similarBnScore);
    tf.dispose([digits.images, digitInput, natural, naturalInput]);
  });

  it('falls back to feature statistics for a backbone without BatchNormalization', async () => {
    const arch = mnistCnn({ inputSize: 12, channels: 1, filters: 4, seed: 1 });
    const plain = backboneFromModel(arch.model, {
      name: 'tiny',
      featuresLayer: 'flatten',
      preprocessing: { scale: 1 / 255, offset: 0 },
      inputSize: 12,
    });
    const digits = mnistImages([1, 2], 4, { size: 12 });
    const sim = await measureSimilarity(plain, digits.images);
    expect(sim.method).toBe('feature-statistics');
    expect(sim.score).toBeGreaterThan(0);
    expect(sim.score).toBeLessThan(1);
    expect(sim.images).toBe(8);
    digits.images.dispose();
    arch.model.dispose();
  });

  it('rejects images of the wrong size', async () => {
    const wrong = tf.zeros([2, 32, 32, 3]) as tf.Tensor4D;
    await expect(measureSimilarity(backbone, wrong)).rejects.toBeInstanceOf(InvalidTrainingInputError);
    wrong.dispose();
  });
});

describe('advise', () => {
  const sim = (score: number): SimilarityMeasure => ({
    score,
    method: 'bn-statistics',
    layers: [],
    images: 30,
  });

  it('maps size × similarity onto the four scenarios and explains with numbers', () => {
    const small = { a: 120, b: 95 };
    const large = { a: 5000, b: 4200 };
    const s1 = advise({ counts: small, similarity: sim(0.5), backbone });
    expect(s1).toMatchObject({
      scenario: 1,
      strategy: 'feature-extraction',
      cut: 'features',
      size: 'small',
      similarity: 'similar',
    });
    expect(s1.explanation).toContain('215 images');
    expect(s1.explanation).toContain('0.500');
    const paramsAbove = (k: number) =>
      backbone.model.layers.slice(k + 1).reduce((n, l) => n + l.countParams(), 0);
    const budget = (counts: Record<string, number>) =>
      Object.values(counts).reduce((a, b) => a + b, 0) * ADVISOR_THRESHOLDS.maxRetrainedParamsPerImage;
    // Too few images to retrain even the top pretrained layer: the upper layers are replaced by a new head on
    // the pooled activations of the widest cut before the last downsampling.
    const s2 = advise({ counts: small, similarity: sim(5), backbone });
    expect(s2).toMatchObject({
      scenario: 2,
      strategy: 'freeze-k',
      similarity: 'different',
      upper: 'replace',
      cut: 'block_13_expand_relu',
    });
    expect(s2.explanation).toContain('replace the source-specific layers above');
    // Enough to retrain the top: the retrained layers fit the parameter budget of the data set, and the cut is
    // the shallowest that does.
    const mid = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`c${i}`, 500]));
    const s2mid = advise({ counts: mid, similarity: sim(5), backbone });
    expect(s2mid).toMatchObject({ scenario: 2, upper: 'retrain' });
    expect(paramsAbove(s2mid.k)).toBeLessThanOrEqual(budget(mid));
    const shallower = backbone.cuts.filter((c) => c.index < s2mid.k && c.name !== 'features').at(-1)!;
    expect(paramsAbove(shallower.index)).toBeGreaterThan(budget(mid));
    // With plenty of images the cut stops at the freeze floor inside the untouched ImageNet layers.
    const manyCounts = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`c${i}`, 900]));
    const many = advise({ counts: manyCounts, similarity: sim(5), backbone });
    expect(many.upper).toBe('retrain');
    expect(many.k).toBeLessThanOrEqual(backbone.pretrainedUpTo!);
    expect(backbone.cuts.find((c) => c.name === many.cut)?.imagenet).toBe(true);
    expect(advise({ counts: large, similarity: sim(5), backbone })).toMatchObject({
      scenario: 3,
      strategy: 'scratch',
      cut: null,
    });
    expect(advise({ counts: large, similarity: sim(0.5), backbone })).toMatchObject({
      scenario: 4,
      strategy: 'fine-tune',
      size: 'large',
    });
  });

  it('rejects unusable counts', () => {
    expect(() => advise({ counts: [10], similarity: sim(1), backbone })).toThrow(InvalidTrainingInputError);
  });
});
