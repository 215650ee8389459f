import { initBackend, tf } from '@graft/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Backbone,
  backboneFromModel,
  compileTrunk,
  loadBackbone,
  splitBackbone,
} from '../../../packages/core/src/backbone/index.js';
import { digitBatch, maxDiff, smallCnn } from './helpers.js';

describe('compileTrunk', () => {
  let b96: Backbone;
  beforeAll(async () => {
    await initBackend();
    b96 = await loadBackbone({ kind: 'default' }, { inputSize: 96 });
  });

  it.each(['block_2_add', 'block_10_project_BN', 'out_relu', 'features'])(
    'matches trunk.predict within 1e-3 (relative) at 96 px, cut %s',
    (cut) => {
      const { trunk } = splitBackbone(b96, cut);
      const compiled = compileTrunk(trunk);
      expect(compiled.outputShape).toEqual(b96.cuts.find((c) => c.name === cut)!.outputShape);
      const x = digitBatch(96, 3, b96.preprocessing);
      const expected = trunk.predict(x) as tf.Tensor;
      const actual = compiled.predict(x);
      expect(actual.shape).toEqual(expected.shape);
      const { diff, scale } = maxDiff(expected, actual);
      expect(scale).toBeGreaterThan(0.1);
      expect(diff / scale).toBeLessThan(1e-3);
      tf.dispose([x, expected, actual]);
      compiled.dispose();
    },
  );

  it('matches at 224 px on the full backbone', async () => {
    const b224 = await loadBackbone();
    const { trunk } = splitBackbone(b224, 'features');
    const compiled = compileTrunk(trunk);
    const x = digitBatch(224, 1, b224.preprocessing);
    const expected = trunk.predict(x) as tf.Tensor;
    const actual = compiled.predict(x);
    const { diff, scale } = maxDiff(expected, actual);
    expect(diff / scale).toBeLessThan(1e-3);
    tf.dispose([x, expected, actual]);
    compiled.dispose();
    b224.model.dispose();
  });

  it('handles generic layers (standalone BN, pooling, flatten via layer.apply)', () => {
    const cnn = smallCnn();
    // Give BN non-trivial statistics so folding is actually exercised.
    const bn = cnn.getLayer('bn1');
    const stats = tf.tidy(() => [
      tf.randomUniform([8], 0.5, 1.5, 'float32', 1),
      tf.randomUniform([8], -0.5, 0.5, 'float32', 2),
      tf.randomUniform([8], -0.2, 0.2, 'float32', 3),
      tf.randomUniform([8], 0.5, 2, 'float32', 4),
    ]);
    bn.setWeights(stats);
    const b = backboneFromModel(cnn, {
      name: 'cnn',
      featuresLayer: 'flatten',
      preprocessing: { scale: 1 / 255, offset: 0 },
      inputSize: 28,
    });
    const compiled = compileTrunk(b.model);
    const x = digitBatch(28, 4, b.preprocessing, 1);
    const expected = b.model.predict(x) as tf.Tensor;
    const actual = compiled.predict(x);
    const { diff, scale } = maxDiff(expected, actual);
    expect(diff / scale).toBeLessThan(1e-4);
    tf.dispose([...stats, x, expected, actual]);
    compiled.dispose();
    cnn.dispose();
  });

  it('snapshots weights, frees them on dispose and leaks nothing per prediction', () => {
    const { trunk } = splitBackbone(b96, 'block_6_project_BN');
    const start = tf.memory().numTensors;
    const compiled = compileTrunk(trunk);
    const held = tf.memory().numTensors - start;
    expect(held).toBeGreaterThan(0);
    const x = digitBatch(96, 1, b96.preprocessing);
    compiled.predict(x).dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) compiled.predict(x).dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    compiled.dispose();
    expect(tf.memory().numTensors).toBe(start);
    expect(() => compiled.predict(x)).toThrow(/disposed/);
  });
});
