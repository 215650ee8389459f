import { disposeBackbones } from '@graft/backbones';
import { evals } from '@graft/bench';
import { initBackend, tf } from '@graft/runtime';
import { describe, expect, it } from 'vitest';

const { run } = await evals['open-set']();

type Separation = Record<string, { auroc: number; fpr95: number }>;

// Quick variant of `graft eval open-set`: 6 training images per class, through the job path, small outlier sets.
describe('eval open-set (quick variant)', () => {
  it('trains both models as jobs, scores every outlier set with every method and measures cost and reduction', async () => {
    await initBackend();
    const before = tf.memory().numTensors;
    const r = (await run(
      { train: '6', val: '3', test: '4', outliers: '30', noise: '6', 'budget-seconds': '5' },
      () => {},
    )) as {
      far: Record<string, Separation>;
      near: Separation;
      accuracy: { plain: number; accepted: number; acceptedShare: number };
      methods: Record<string, { farMinAuroc: number }>;
      best: string;
      oodBytes: Record<string, number>;
      cost: Record<string, { scoreShare: number }>;
      reduction: { variant: string; mahalanobis: { fashion: number } }[];
    };
    expect(Object.keys(r.far)).toEqual(['fashion-mnist', 'uniform noise', 'gaussian noise', 'photos']);
    for (const set of Object.values(r.far)) {
      expect(Object.keys(set)).toEqual(['msp', 'energy', 'mahalanobis', 'knn']);
      for (const { auroc, fpr95 } of Object.values(set)) {
        expect(auroc).toBeGreaterThanOrEqual(0);
        expect(auroc).toBeLessThanOrEqual(1);
        expect(fpr95).toBeGreaterThanOrEqual(0);
        expect(fpr95).toBeLessThanOrEqual(1);
      }
    }
    // Even at 6 images per class the feature-space scores tell noise from digits.
    expect(r.far['uniform noise']!.mahalanobis!.auroc).toBeGreaterThan(0.9);
    expect(r.methods[r.best]).toBeDefined();
    expect(r.oodBytes.digits).toBeGreaterThan(0);
    expect(r.oodBytes.digits).toBeLessThanOrEqual(2_000_000);
    expect(r.cost.mahalanobis!.scoreShare).toBeLessThan(0.1);
    expect(r.reduction.map((x) => x.variant)).toHaveLength(3);
    await disposeBackbones();
    expect(tf.memory().numTensors).toBe(before);
  });
});
