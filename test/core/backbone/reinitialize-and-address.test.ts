import { initBackend, tf } from '@graft/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  inspectBackbone,
  isInternalAddress,
  loadBackbone,
  reinitializeModel,
} from '../../../packages/core/src/backbone/index.js';
import { digitBatch } from './helpers.js';

describe('reinitializeModel', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('keeps the architecture and draws fresh weights', async () => {
    const b = await loadBackbone({ kind: 'default' }, { inputSize: 96 });
    const fresh = reinitializeModel(b.model);
    expect(fresh.layers.map((l) => l.name)).toEqual(b.model.layers.map((l) => l.name));
    expect(fresh.layers.map((l) => l.countParams())).toEqual(b.model.layers.map((l) => l.countParams()));
    expect(fresh.outputs[0]!.shape).toEqual([null, 1280]);
    const oldKernel = b.model.getLayer('Conv1').getWeights()[0]!;
    const newKernel = fresh.getLayer('Conv1').getWeights()[0]!;
    expect(tf.max(tf.abs(tf.sub(oldKernel, newKernel))).dataSync()[0]).toBeGreaterThan(0.01);
    // BatchNorm statistics are back to their initial values (mean 0, variance 1).
    const [, , mean, variance] = fresh.getLayer('bn_Conv1').getWeights();
    expect(Array.from(mean!.dataSync()).every((v) => v === 0)).toBe(true);
    expect(Array.from(variance!.dataSync()).every((v) => v === 1)).toBe(true);
    // The source model is untouched and the new one runs.
    expect(inspectBackbone(b).totalParams).toBe(2_257_984);
    const x = digitBatch(96, 1, b.preprocessing);
    const y = fresh.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 1280]);
    tf.dispose([x, y]);
    fresh.dispose();
    b.model.dispose();
  });
});

describe('isInternalAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.0.0.8', true],
    ['172.20.1.1', true],
    ['192.168.0.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['fe80::1', true],
    ['fd12::1', true],
    ['::ffff:10.0.0.1', true],
    ['not-an-ip', true],
    ['8.8.8.8', false],
    ['172.32.0.1', false],
    ['2a00:1450::1', false],
  ])('%s → %s', (address, internal) => {
    expect(isInternalAddress(address)).toBe(internal);
  });
});
