import { initBackend, tf } from '@graft/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Backbone,
  backboneFromModel,
  loadBackbone,
  splitBackbone,
  trunkAt,
  UnknownCutError,
} from '../../../packages/core/src/backbone/index.js';
import { digitBatch, smallCnn } from './helpers.js';

describe('splitBackbone', () => {
  let backbone: Backbone;
  let x: tf.Tensor4D;
  let full: tf.Tensor;
  beforeAll(async () => {
    await initBackend();
    backbone = await loadBackbone({ kind: 'default' }, { inputSize: 96 });
    x = digitBatch(96, 2, backbone.preprocessing);
    full = backbone.model.predict(x) as tf.Tensor;
  });

  it.each([
    'expanded_conv_project_BN',
    'block_2_add',
    'block_6_project_BN',
    'block_10_project_BN',
    'block_12_add',
    'out_relu',
  ])('trunk then upper reproduces the full model exactly at %s', (cut) => {
    const { trunk, upper, cut: point } = splitBackbone(backbone, cut);
    expect(point.name).toBe(cut);
    expect(trunk.outputs[0]!.shape.slice(1)).toEqual(point.outputShape);
    expect(upper).not.toBeNull();
    expect(upper!.inputs[0]!.shape.slice(1)).toEqual(point.outputShape);
    const y = tf.tidy(() => upper!.predict(trunk.predict(x) as tf.Tensor) as tf.Tensor);
    expect(tf.max(tf.abs(tf.sub(y, full))).dataSync()[0]).toBe(0);
    y.dispose();
  });

  it('trunkAt builds the same trunk without touching the layers; splitBackbone adds a node to every upper layer', () => {
    const inbound = () =>
      backbone.model.layers.reduce(
        (n, layer) => n + (layer as unknown as { inboundNodes: unknown[] }).inboundNodes.length,
        0,
      );
    const before = inbound();
    const { trunk, cut } = trunkAt(backbone, 'block_12_add');
    expect(cut.name).toBe('block_12_add');
    const y = tf.tidy(() => trunk.predict(x) as tf.Tensor);
    const expected = tf.tidy(() => splitBackbone(backbone, 'block_12_add').trunk.predict(x) as tf.Tensor);
    expect(tf.max(tf.abs(tf.sub(y, expected))).dataSync()[0]).toBe(0);
    tf.dispose([y, expected]);
    // the split above replayed the upper layers once (its upper half); trunkAt added nothing
    const afterSplit = inbound();
    expect(afterSplit).toBeGreaterThan(before);
    for (let i = 0; i < 3; i++) trunkAt(backbone, 'block_12_add');
    expect(inbound()).toBe(afterSplit);
  });

  it("returns no upper part for 'features' and accepts layer indices", () => {
    const split = splitBackbone(backbone, 'features');
    expect(split.upper).toBeNull();
    expect(split.trunk.outputs[0]!.shape).toEqual([null, 1280]);
    expect(splitBackbone(backbone, 98).cut.name).toBe('block_10_project_BN');
  });

  it('shares layer objects (and so weights) with the backbone', () => {
    const { upper } = splitBackbone(backbone, 'block_12_add');
    const layer = upper!.getLayer('block_13_expand');
    expect(layer).toBe(backbone.model.getLayer('block_13_expand'));
    const kernel = layer.getWeights()[0]!.clone(); // getWeights() returns the live variable
    const changed = tf.tidy(() => kernel.mul(0.5));
    layer.setWeights([changed]);
    const after = tf.tidy(() => backbone.model.predict(x) as tf.Tensor);
    expect(tf.max(tf.abs(tf.sub(after, full))).dataSync()[0]).toBeGreaterThan(1e-3);
    layer.setWeights([kernel]);
    const restored = tf.tidy(() => backbone.model.predict(x) as tf.Tensor);
    expect(tf.max(tf.abs(tf.sub(restored, full))).dataSync()[0]).toBe(0);
    tf.dispose([kernel, changed, after, restored]);
  });

  it('can be split again after layers were re-applied', () => {
    splitBackbone(backbone, 'block_2_add');
    const { trunk, upper } = splitBackbone(backbone, 'block_2_add');
    const y = tf.tidy(() => upper!.predict(trunk.predict(x) as tf.Tensor) as tf.Tensor);
    expect(tf.max(tf.abs(tf.sub(y, full))).dataSync()[0]).toBe(0);
    y.dispose();
  });

  it('refuses cuts that are not single-tensor block outputs', () => {
    for (const bad of ['block_2_project_BN', 'block_3_expand', 'nope', 5, 1000]) {
      const error = (() => {
        try {
          splitBackbone(backbone, bad);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(UnknownCutError);
      expect((error as UnknownCutError).code).toBe('unknown_cut');
    }
  });

  it('works for a generic CNN whose flatten layer is the features', () => {
    const cnn = smallCnn();
    const b = backboneFromModel(cnn, {
      name: 'mnist_cnn',
      featuresLayer: 'flatten',
      preprocessing: { scale: 1 / 255, offset: 0 },
      inputSize: 28,
    });
    expect(b.id).toBe('mnist_cnn-28');
    expect(b.cuts.map((c) => c.name)).toEqual(['relu1', 'pool1', 'conv2', 'features']); // never between conv1 and its BN;
    expect(b.cuts.at(-1)).toMatchObject({ outputShape: [1936], imagenet: false });
    const input = digitBatch(28, 3, b.preprocessing, 1);
    const whole = b.model.predict(input) as tf.Tensor;
    const { trunk, upper } = splitBackbone(b, 'pool1');
    const y = tf.tidy(() => upper!.predict(trunk.predict(input) as tf.Tensor) as tf.Tensor);
    expect(tf.max(tf.abs(tf.sub(y, whole))).dataSync()[0]).toBe(0);
    expect(splitBackbone(b, 'flatten').upper).toBeNull();
    tf.dispose([input, whole, y]);
    cnn.dispose();
  });

  it('does not leak tensors over repeated split predictions', () => {
    const { trunk, upper } = splitBackbone(backbone, 'block_6_project_BN');
    const run = () => tf.tidy(() => upper!.predict(trunk.predict(x) as tf.Tensor) as tf.Tensor).dispose();
    run();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) run();
    expect(tf.memory().numTensors).toBe(before);
  });
});
