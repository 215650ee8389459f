import { initBackend, tf } from '@graft/runtime';
import { isSafeWeightPath, storeIOHandler, UnsafeWeightPathError } from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestS3, type TestS3 } from './local-s3-fixture.js';

let t: TestS3;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  t = await startTestS3('tfjs-models');
});
afterAll(async () => {
  await t.close();
});

function smallModel(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [4], units: 8, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  return model;
}

describe('storeIOHandler', () => {
  it('saves model.json + weights.bin and loads an identical model', async () => {
    const model = smallModel();
    const before = tf.memory().numTensors;
    const result = await model.save(storeIOHandler(t.store, 'models/tiny/versions/1/'));
    expect(result.modelArtifactsInfo.weightDataBytes).toBe((4 * 8 + 8 + 8 * 3 + 3) * 4);
    expect((await t.store.head('models/tiny/versions/1/weights.bin'))?.size).toBe(
      result.modelArtifactsInfo.weightDataBytes,
    );
    const loaded = await tf.loadLayersModel(storeIOHandler(t.store, 'models/tiny/versions/1/'));
    const x = tf.tensor2d([
      [1, 2, 3, 4],
      [-1, 0.5, 0, 2],
    ]);
    const [a, b] = tf.tidy(() => [
      (model.predict(x) as tf.Tensor).arraySync(),
      (loaded.predict(x) as tf.Tensor).arraySync(),
    ]);
    expect(b).toEqual(a);
    x.dispose();
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before); // save/load leaked nothing
    model.dispose();
    expect(tf.memory().numTensors).toBe(before - 4);
  });

  it('immutable save refuses to overwrite', async () => {
    const model = smallModel();
    const handler = storeIOHandler(t.store, 'models/tiny/versions/2/', { immutable: true });
    await model.save(handler);
    await expect(model.save(handler)).rejects.toMatchObject({ code: 'precondition_failed' });
    model.dispose();
  });

  it('refuses weight paths that escape the prefix', async () => {
    for (const path of [
      '../1/weights.bin',
      '/etc/passwd',
      'https://evil.example/w.bin',
      'file:///w',
      'a/../../b',
      'C:\\w',
    ]) {
      expect(isSafeWeightPath(path), path).toBe(false);
      await t.store.put(
        'models/evil/versions/1/model.json',
        JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: [path], weights: [] }] }),
      );
      const err = await storeIOHandler(t.store, 'models/evil/versions/1/').load!().catch((e) => e);
      expect(err, path).toBeInstanceOf(UnsafeWeightPathError);
      expect(err.code).toBe('unsafe_weight_path');
    }
    expect(isSafeWeightPath('group1-shard1of2.bin')).toBe(true);
    expect(isSafeWeightPath('shards/1.bin')).toBe(true);
  });
});
