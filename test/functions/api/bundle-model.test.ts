import { loadBundle } from '@graft/core';
import { tf } from '@graft/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleModel } from '../../../functions/api/src/bundle-model.js';
import { imagingDecoder } from '../../../functions/api/src/index.js';
import { grayPng } from './fakes.js';
import { TINY_LABELS, tinyBundleFiles } from './tiny-bundle.js';

let files: Awaited<ReturnType<typeof tinyBundleFiles>>;
beforeAll(async () => {
  files = await tinyBundleFiles(1);
});

describe('bundleModel (a real bundle behind the LoadedModel port)', () => {
  it('classifies decoded images and raw bytes of any size, without leaking tensors', async () => {
    const model = bundleModel(await loadBundle(files));
    await model.warmup?.();
    expect(model.meta.labels).toEqual(TINY_LABELS);
    const before = tf.memory().numTensors;
    const dark = await model.classify(await imagingDecoder(await grayPng(15, 20)), { topK: 2 });
    const light = await model.classify(await grayPng(235, 5), { topK: 1, threshold: 0.5 });
    expect(dark.predictions.map((p) => p.label)).toEqual(['dark', 'light']);
    expect(dark.predictions[0]!.score).toBeGreaterThan(0.5);
    expect(dark.predictions[0]!.score + dark.predictions[1]!.score).toBeCloseTo(1, 4);
    expect(light.predictions).toEqual([{ label: 'light', score: expect.any(Number) }]);
    expect(light.unknown).toBe(false);
    const unsure = await model.classify(await grayPng(235, 5), { topK: 1, threshold: 1 });
    expect(unsure.unknown).toBe(true);
    // topK larger than the label count is clamped
    expect((await model.classify(await grayPng(100), { topK: 10 })).predictions).toHaveLength(2);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
  });
});
