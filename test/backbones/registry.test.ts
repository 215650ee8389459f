/**
 * The backbone registry on the real embedded S3 server: the bundled MobileNetV2 always listed, a real tfjs Keras
 * model added from a folder, immutability, refusals, and loading by id.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  BackboneExistsError,
  BackboneNotFoundError,
  BackboneRegistry,
  BackboneTooLargeError,
  chooseDefaultCut,
  InvalidBackboneError,
  loadBackbone,
  type SourceStats,
  sourceFromDir,
} from '@graft/backbones';
import { disposeWeights, inspectBackbone } from '@graft/core';
import { initBackend, tf } from '@graft/runtime';
import { InvalidNameError, keys, sha256 } from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxDiff } from '../core/backbone/helpers.js';
import { startTestS3, type TestS3 } from '../storage/local-s3-fixture.js';
import { saveTinyCnn, TINY_PREPROCESSING, TINY_SIZE, tinyFeatures, tinyImages } from './tiny-cnn.js';

let s3: TestS3;
let root: string;
let dir: string;
let otherDir: string;
let model: tf.LayersModel;
let registry: BackboneRegistry;

beforeAll(async () => {
  await initBackend();
  s3 = await startTestS3('graft-backbones');
  root = await mkdtemp(path.join(tmpdir(), 'graft-backbones-'));
  dir = path.join(root, 'tiny');
  otherDir = path.join(root, 'tiny-other-weights');
  model = await saveTinyCnn(dir, 1);
  (await saveTinyCnn(otherDir, 2)).dispose();
  registry = new BackboneRegistry(s3.store);
});

afterAll(async () => {
  model?.dispose();
  await s3?.close();
  await rm(root, { recursive: true, force: true });
});

const STATS: SourceStats = {
  method: 'source-statistics',
  images: 12,
  inputSize: TINY_SIZE,
  layers: [{ name: 'conv1', mean: [0.1, 0.2], variance: [1, 2] }],
};

describe('BackboneRegistry', () => {
  it('always lists the bundled mobilenet_v2 with the defaults data sets had (96 px, block_13_expand_relu)', async () => {
    const [bundled, ...rest] = await registry.list();
    expect(rest).toEqual([]);
    expect(bundled).toMatchObject({
      id: 'mobilenet_v2',
      name: 'mobilenet_v2',
      provenance: { kind: 'bundled' },
      inputSizes: [96, 128, 160, 192, 224],
      defaultInputSize: 96,
      defaultCut: 'block_13_expand_relu',
      featuresLayer: 'out_relu',
      pretrainedUpTo: 98,
      sourceTrainedLayers: { from: 'block_11_expand', to: 'out_relu' },
    });
    expect(bundled!.cuts.find((c) => c.name === 'block_13_expand_relu')?.outputShape).toEqual([6, 6, 576]);
    expect(bundled!.cuts.at(-1)).toMatchObject({ name: 'features', outputShape: [1280] });
    // The rule other backbones get, from shapes alone, agrees with the bundled default.
    expect(chooseDefaultCut(bundled!.cuts.map((c) => ({ ...c, imagenet: false })))).toBe(
      'block_13_expand_relu',
    );
    expect(await registry.get('mobilenet_v2')).toBe(bundled);
  });

  it('adds a tfjs layers-model folder: three files, a manifest read from the model itself', async () => {
    const tensors = tf.memory().numTensors;
    const { manifest, created } = await registry.add({
      id: 'tiny',
      ...(await sourceFromDir(dir)),
      sourceStats: STATS,
    });
    expect(created).toBe(true);
    expect(tf.memory().numTensors).toBe(tensors); // every probe load was disposed
    for (const file of ['model.json', 'weights.bin', 'backbone.json'] as const)
      expect(await s3.store.head(keys.backboneFile('tiny', file))).toBeDefined();
    const weights = await s3.store.get(keys.backboneFile('tiny', 'weights.bin'));
    expect(manifest).toMatchObject({
      id: 'tiny',
      name: 'tiny_cnn',
      provenance: { kind: 'folder', path: dir },
      preprocessing: TINY_PREPROCESSING,
      defaultInputSize: TINY_SIZE,
      inputChannels: 3,
      featuresLayer: 'conv2',
      defaultCut: 'conv1', // the widest activation before the last downsampling
      pretrainedUpTo: null,
      sourceTrainedLayers: null,
      weightsSha256: await sha256(weights),
      weightsBytes: weights.byteLength,
      parameters: 8 * 27 + 8 + 16 * 72 + 16,
      sourceStats: STATS,
    });
    expect(manifest.inputSizes).toEqual([TINY_SIZE, 96, 128, 160, 192, 224]);
    expect(manifest.cuts.map((c) => [c.name, c.outputShape])).toEqual([
      ['conv1', [16, 16, 8]],
      ['pool1', [8, 8, 8]],
      ['conv2', [8, 8, 16]],
      ['features', [16]],
    ]);
    expect((await registry.list()).map((m) => m.id)).toEqual(['mobilenet_v2', 'tiny']);
    expect(await new BackboneRegistry(s3.store).get('tiny')).toEqual(manifest); // read back from the bucket
  });

  it('is idempotent for the same weights and refuses other weights under a taken id (backbone_exists)', async () => {
    const again = await registry.add({ id: 'tiny', ...(await sourceFromDir(dir)) });
    expect(again.created).toBe(false);
    expect(again.manifest.sourceStats).toEqual(STATS); // the existing manifest, untouched
    const other = await sourceFromDir(otherDir);
    await expect(registry.add({ id: 'tiny', ...other })).rejects.toBeInstanceOf(BackboneExistsError);
    await expect(registry.add({ id: 'mobilenet_v2', ...other })).rejects.toMatchObject({
      code: 'backbone_exists',
    });
    // A fresh registry (no cached manifest) sees the same.
    await expect(new BackboneRegistry(s3.store).add({ id: 'tiny', ...other })).rejects.toMatchObject({
      code: 'backbone_exists',
    });
  });

  it('refuses junk (invalid_backbone), weights over the limit (backbone_too_large) and ids that break the key rules', async () => {
    const tensors = tf.memory().numTensors;
    const { artifacts, provenance } = await sourceFromDir(dir);
    const junk = [
      {
        modelTopology: { class_name: 'NotAModel', config: {} },
        weightSpecs: [],
        weightData: new ArrayBuffer(0),
      },
      { ...artifacts, weightData: (artifacts.weightData as ArrayBuffer).slice(0, 100) },
      { modelTopology: new ArrayBuffer(8) },
    ];
    for (const a of junk) {
      await expect(registry.add({ id: 'junk', artifacts: a, provenance })).rejects.toBeInstanceOf(
        InvalidBackboneError,
      );
    }
    const notJson = path.join(root, 'not-a-model');
    await mkdir(notJson);
    await writeFile(path.join(notJson, 'model.json'), 'not json');
    await expect(sourceFromDir(notJson)).rejects.toMatchObject({ code: 'invalid_backbone' });
    await expect(sourceFromDir(path.join(root, 'missing'))).rejects.toMatchObject({
      code: 'invalid_backbone',
    });
    const badStats = { method: 'bn-statistics', images: 3 } as unknown as SourceStats;
    await expect(
      registry.add({ id: 'junk', artifacts, provenance, sourceStats: badStats }),
    ).rejects.toMatchObject({
      code: 'invalid_backbone',
    });
    const small = new BackboneRegistry(s3.store, { maxWeightBytes: 1000 });
    await expect(small.add({ id: 'big', artifacts, provenance })).rejects.toBeInstanceOf(
      BackboneTooLargeError,
    );
    for (const id of ['tiny-96', 'a/b', '../x', 'x'.repeat(60)]) {
      await expect(registry.add({ id, artifacts, provenance })).rejects.toBeInstanceOf(InvalidNameError);
    }
    expect(await s3.store.head(keys.backboneFile('junk', 'weights.bin'))).toBeUndefined();
    expect(await s3.store.head(keys.backboneFile('big', 'weights.bin'))).toBeUndefined();
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('loads by id: the source model’s features, cached per id, weights and size; feature ids never collide', async () => {
    const x = tinyImages(3);
    const expected = tinyFeatures(model, x);
    const backbone = await loadBackbone(s3.store, 'tiny');
    expect(backbone.id).toBe('tiny-16'); // the registry id, not the architecture name
    expect(backbone.name).toBe('tiny');
    expect(backbone.preprocessing).toEqual(TINY_PREPROCESSING);
    expect(inspectBackbone(backbone).cuts.map((c) => c.name)).toEqual([
      'conv1',
      'pool1',
      'conv2',
      'features',
    ]);
    const before = tf.memory().numTensors;
    const y = tf.tidy(() => backbone.model.predict(x) as tf.Tensor);
    expect(maxDiff(y, expected).diff).toBeLessThan(1e-5);
    tf.dispose(y);
    expect(tf.memory().numTensors).toBe(before);

    expect(await loadBackbone(s3.store, 'tiny')).toBe(backbone); // once per process
    expect(await loadBackbone(registry, 'tiny', { inputSize: TINY_SIZE })).toBe(backbone);
    const owned = await loadBackbone(s3.store, 'tiny', { inputSize: 96, owned: true });
    expect(owned).not.toBe(backbone);
    expect(owned.id).toBe('tiny-96');
    disposeWeights([owned.model]);
    expect(tf.memory().numTensors).toBe(before);

    await expect(loadBackbone(s3.store, 'tiny', { inputSize: 50 })).rejects.toMatchObject({
      code: 'unsupported_input_size',
    });
    await expect(loadBackbone(s3.store, 'nope')).rejects.toBeInstanceOf(BackboneNotFoundError);
    await expect(registry.get('bad/id')).rejects.toMatchObject({ code: 'backbone_not_found' });
    tf.dispose([x, expected]);
  });
});
