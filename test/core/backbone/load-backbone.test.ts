import { initBackend, tf } from '@graft/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Backbone,
  BackboneError,
  inspectBackbone,
  loadBackbone,
  UnsupportedInputSizeError,
} from '../../../packages/core/src/backbone/index.js';
import { digitBatch } from './helpers.js';

describe('loadBackbone (bundled MobileNetV2)', () => {
  let backbone: Backbone;
  beforeAll(async () => {
    await initBackend();
    backbone = await loadBackbone();
  });

  it('loads the default backbone at 224 with the classifier replaced by pooled features', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(backbone.id).toBe('mobilenet_v2-224');
    expect(backbone.name).toBe('mobilenet_v2');
    expect(backbone.inputSize).toBe(224);
    expect(backbone.inputChannels).toBe(3);
    expect(backbone.preprocessing).toEqual({ scale: 1 / 127.5, offset: -1 });
    expect(backbone.model.outputs[0]!.shape).toEqual([null, 1280]);
    expect(backbone.model.layers.at(-1)!.name).toBe('features');
    expect(backbone.model.layers.some((l) => l.getClassName() === 'Dense')).toBe(false);
    expect(backbone.model.layers.every((l) => l.trainable)).toBe(true);
  });

  it('inspects ~156 layers with shapes, params (≈2.26M) and which weights are ImageNet', () => {
    const info = inspectBackbone(backbone);
    expect(info.layers).toHaveLength(156);
    expect(info.totalParams).toBe(2_257_984);
    expect(info.layers[2]).toMatchObject({
      name: 'Conv1',
      className: 'Conv2D',
      outputShape: [112, 112, 32],
      params: 864,
    });
    expect(info.layers[98]).toMatchObject({
      name: 'block_10_project_BN',
      outputShape: [14, 14, 96],
      trainable: false,
    });
    expect(info.layers[99]).toMatchObject({ name: 'block_11_expand', trainable: true });
    expect(info.layers.find((l) => l.name === 'out_relu')?.outputShape).toEqual([7, 7, 1280]);
    expect(backbone.pretrainedUpTo).toBe(98);
  });

  it('offers block outputs as cuts, flags the ImageNet ones, and ends with features', () => {
    const names = backbone.cuts.map((c) => c.name);
    expect(names).toContain('block_2_add');
    expect(names).toContain('block_6_project_BN');
    expect(names).toContain('block_16_project_BN');
    expect(names).not.toContain('block_2_project_BN'); // residual: the shortcut is still live there
    expect(names).not.toContain('block_3_expand');
    expect(names.slice(-2)).toEqual(['out_relu', 'features']);
    expect(backbone.cuts.at(-1)).toMatchObject({ index: 155, outputShape: [1280], imagenet: false });
    const b10 = backbone.cuts.find((c) => c.name === 'block_10_project_BN')!;
    expect(b10).toMatchObject({ index: 98, outputShape: [14, 14, 96], imagenet: true });
    expect(backbone.cuts.find((c) => c.name === 'block_11_add')!.imagenet).toBe(false);
    const indices = backbone.cuts.map((c) => c.index);
    expect([...indices].sort((a, b) => a - b)).toEqual(indices);
  });

  it('produces distinct, finite features for different digits', () => {
    const x = digitBatch(224, 2, backbone.preprocessing);
    const y = backbone.model.predict(x) as tf.Tensor;
    const values = y.arraySync() as number[][];
    expect(values.flat().every(Number.isFinite)).toBe(true);
    expect(Math.max(...values[0]!)).toBeGreaterThan(0);
    expect(values[0]).not.toEqual(values[1]);
    tf.dispose([x, y]);
  });

  it.each([96, 160])('rebuilds for %i px with the same weights', async (size) => {
    const small = await loadBackbone({ kind: 'default' }, { inputSize: size });
    expect(small.id).toBe(`mobilenet_v2-${size}`);
    expect(small.model.inputs[0]!.shape).toEqual([null, size, size, 3]);
    expect(small.cuts.find((c) => c.name === 'out_relu')!.outputShape).toEqual([size / 32, size / 32, 1280]);
    expect(inspectBackbone(small).totalParams).toBe(2_257_984);
    const a = small.model.getLayer('Conv1').getWeights()[0]!;
    const b = backbone.model.getLayer('Conv1').getWeights()[0]!;
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBe(0);
    const x = digitBatch(size, 1, small.preprocessing);
    const y = small.model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 1280]);
    tf.dispose([x, y]);
    small.model.dispose();
  });

  it('refuses input sizes the backbone cannot be rebuilt for', async () => {
    for (const size of [100, 0, 512]) {
      const error = await loadBackbone({ kind: 'default' }, { inputSize: size }).catch((e) => e);
      expect(error).toBeInstanceOf(UnsupportedInputSizeError);
      expect(error).toBeInstanceOf(BackboneError);
      expect((error as BackboneError).code).toBe('unsupported_input_size');
    }
  });

  it('does not leak tensors over repeated predictions', () => {
    const x = digitBatch(224, 1, backbone.preprocessing);
    (backbone.model.predict(x) as tf.Tensor).dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) (backbone.model.predict(x) as tf.Tensor).dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
