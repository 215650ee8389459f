/**
 * A model version Graft trained and published, registered as a backbone: its network minus its classifier head.
 */
import { BackboneRegistry, loadBackbone, sourceFromModelVersion } from '@graft/backbones';
import { tinyModelFiles } from '@graft/bench';
import { type BundleFiles, bundleFromFiles } from '@graft/core';
import { initBackend, tf } from '@graft/runtime';
import { ModelRegistry } from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxDiff } from '../core/backbone/helpers.js';
import { startTestS3, type TestS3 } from '../storage/local-s3-fixture.js';
import { tinyImages } from './tiny-cnn.js';

let s3: TestS3;
let files: BundleFiles;

beforeAll(async () => {
  await initBackend();
  s3 = await startTestS3('graft-backbones-from-model');
  files = await tinyModelFiles(1);
  const models = new ModelRegistry(s3.store);
  await models.publish('shades', { ...files, report: { dataset: 'gray-shades' } });
  const graft = JSON.parse(files.graft);
  await models.publish('foreign', { ...files, graft: { ...graft, strategy: undefined }, report: {} });
});

afterAll(async () => {
  await s3?.close();
});

describe('sourceFromModelVersion', () => {
  it('registers the serving version without its head, as developed from its model, version and data set', async () => {
    const registry = new BackboneRegistry(s3.store);
    const { manifest } = await registry.add({
      id: 'shades-v1',
      ...(await sourceFromModelVersion(s3.store, 'shades')),
    });
    expect(manifest).toMatchObject({
      name: 'tiny',
      provenance: { kind: 'developed', model: 'shades', version: 1, dataset: 'gray-shades' },
      featuresLayer: 'features',
      preprocessing: { scale: 1 / 255, offset: 0 },
      defaultInputSize: 8,
      sourceTrainedLayers: null, // feature extraction trained the head only
    });
    expect(manifest.cuts.map((c) => c.name)).toEqual(['conv1', 'features']);

    const bundle = await bundleFromFiles(files);
    const x = tinyImages(2, 8);
    const features = tf.model({
      inputs: bundle.model.inputs,
      outputs: bundle.model.getLayer('features').output as tf.SymbolicTensor,
    });
    const expected = features.predict(x) as tf.Tensor;
    const backbone = await loadBackbone(registry, 'shades-v1');
    expect(backbone.model.layers.some((l) => l.name.startsWith('graft_head_'))).toBe(false);
    const y = backbone.model.predict(x) as tf.Tensor;
    expect(maxDiff(y, expected).diff).toBeLessThan(1e-6);
    tf.dispose([x, expected, y]);
    bundle.model.dispose();
  });

  it('refuses unknown models and versions, and versions Graft did not train', async () => {
    await expect(sourceFromModelVersion(s3.store, 'nope')).rejects.toMatchObject({ code: 'model_not_found' });
    await expect(sourceFromModelVersion(s3.store, 'shades', 9)).rejects.toMatchObject({
      code: 'version_not_found',
    });
    await expect(sourceFromModelVersion(s3.store, 'foreign')).rejects.toMatchObject({
      code: 'invalid_backbone',
    });
  });
});
