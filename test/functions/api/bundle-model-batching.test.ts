/** Dynamic batching over a real bundle: one pass for concurrent requests, per-request errors, no tensor growth. */
import { loadBundle } from '@graft/core';
import { tf } from '@graft/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleModel, classifyBatch } from '../../../functions/api/src/bundle-model.js';
import { type Classification, imagingDecoder } from '../../../functions/api/src/index.js';
import { grayPng } from './fakes.js';
import { tinyBundleFiles } from './tiny-bundle.js';

let files: Awaited<ReturnType<typeof tinyBundleFiles>>;
beforeAll(async () => {
  files = await tinyBundleFiles(1);
});

const NOT_AN_IMAGE = new TextEncoder().encode('this is not an image at all');

describe('bundleModel with dynamic batching', () => {
  it('answers concurrent requests in batches with the same results as one at a time', async () => {
    const model = bundleModel(await loadBundle(files), { maxBatchSize: 4 });
    await model.warmup?.();
    const images = await Promise.all([10, 240, 30, 220, 50, 200, 70].map((v) => grayPng(v, 6)));
    const alone: Classification[] = [];
    for (const png of images) alone.push(await model.classify(png, { topK: 2 }));
    expect(alone.every((r) => r.timings?.batchSize === 1)).toBe(true);
    const together = await Promise.all(images.map((png) => model.classify(png, { topK: 2 })));
    // all seven arrived within one event-loop turn: batches of at most 4, in arrival order
    expect(together.map((r) => r.timings?.batchSize)).toEqual([4, 4, 4, 4, 3, 3, 3]);
    together.forEach((r, i) => {
      expect(r.predictions.map((p) => p.label)).toEqual(alone[i]!.predictions.map((p) => p.label));
      r.predictions.forEach((p, j) => {
        expect(p.score).toBeCloseTo(alone[i]!.predictions[j]!.score, 5);
      });
    });
    expect(together.map((r) => r.predictions[0]!.label)).toEqual([
      'dark',
      'light',
      'dark',
      'light',
      'dark',
      'light',
      'dark',
    ]);
    model.dispose();
  });

  it('keeps options and errors per request: a bad image fails alone, its batch-mates are answered', async () => {
    const bundle = await loadBundle(files);
    const decoded = await imagingDecoder(await grayPng(240, 5));
    const outcomes = await classifyBatch(bundle, [
      { image: await grayPng(15, 5), options: { topK: 1 } },
      { image: NOT_AN_IMAGE, options: { topK: 2 } },
      { image: decoded, options: { topK: 2, threshold: 1 } },
      { image: { width: 0, height: 0, data: new Uint8ClampedArray(0) }, options: { topK: 2 } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, false]);
    const [dark, bad, light, empty] = outcomes;
    if (!dark?.ok || !bad || bad.ok || !light?.ok || !empty || empty.ok)
      throw new Error('unexpected outcomes');
    expect(dark.value.predictions).toHaveLength(1);
    expect(dark.value.predictions[0]!.label).toBe('dark');
    expect(dark.value.unknown).toBe(false);
    expect(light.value.predictions.map((p) => p.label)).toEqual(['light', 'dark']);
    expect(light.value.unknown).toBe(true); // its own threshold of 1, not its batch-mates'
    expect(dark.value.timings?.batchSize).toBe(2);
    expect((bad.error as { code?: string }).code).toBe('unsupported_format');
    expect((empty.error as { code?: string }).code).toMatch(/empty_image|invalid_image/);
    // a batch of nothing but bad images touches no tensor
    const none = await classifyBatch(bundle, [{ image: NOT_AN_IMAGE, options: { topK: 1 } }]);
    expect(none[0]!.ok).toBe(false);
    bundle.dispose();
  });

  it('does not grow the tensor count over repeated batched calls, bad images included', async () => {
    const model = bundleModel(await loadBundle(files), { maxBatchSize: 8 });
    await model.warmup?.();
    const pngs = await Promise.all([20, 230, 120].map((v) => grayPng(v, 8)));
    const round = () =>
      Promise.allSettled(
        Array.from({ length: 12 }, (_, i) =>
          model.classify(i % 5 === 3 ? NOT_AN_IMAGE : pngs[i % 3]!, { topK: 2, ood: { method: 'msp' } }),
        ),
      );
    await round();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) {
      const settled = await round();
      expect(settled.filter((s) => s.status === 'rejected')).toHaveLength(2);
    }
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
