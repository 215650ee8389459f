/**
 * The predict API's out-of-distribution verdict over the real stack: a real bundle with an `ood.bin` fitted by
 * `@graft/core` in the registry on the embedded S3, next to a version without one (an old bundle).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BundleFiles, encodeOod, fitOod, loadBundle } from '@graft/core';
import { encodePng } from '@graft/imaging';
import { initBackend, tf } from '@graft/runtime';
import { type LocalS3, ModelRegistry, S3BlobStore, startLocalS3 } from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, RegistryModelSource, StoreJobs } from '../../../functions/api/src/index.js';
import { auth, grayPng, RecordingRunner, TOKEN } from './fakes.js';
import { tinyBundleFiles } from './tiny-bundle.js';

let s3: LocalS3;
let dir: string;
let store: S3BlobStore;
let files: BundleFiles;

interface Predicted {
  predictions: { label: string; score: number }[];
  unknown: boolean;
  ood: { score: number; threshold: number; method: string } | null;
}

/** Uniform gray 8×8 images (what the tiny model was trained on), preprocessed; labels dark (0) / light (1). */
function grays(values: number[]): tf.Tensor4D {
  return tf.tidy(() => tf.stack(values.map((v) => tf.fill([8, 8, 3], v / 255)))) as tf.Tensor4D;
}

/** A black-and-white checkerboard PNG: like neither a dark nor a light uniform image. */
async function checkerboard(side = 16): Promise<Uint8Array<ArrayBuffer>> {
  const data = new Uint8ClampedArray(side * side * 4);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) {
      const v = (x + y) % 2 === 0 ? 0 : 255;
      data.set([v, v, v, 255], (y * side + x) * 4);
    }
  return new Uint8Array(await encodePng({ width: side, height: side, data }));
}

beforeAll(async () => {
  await initBackend();
  dir = await mkdtemp(join(tmpdir(), 'graft-api-ood-'));
  s3 = await startLocalS3({ dir, bucket: 'graft-api-ood' });
  store = new S3BlobStore(s3.client, s3.bucket);
  files = await tinyBundleFiles(1);
  // Fit the detector the way the training job does: on the model's own features of its training images.
  const bundle = await loadBundle(files);
  const trainValues = Array.from({ length: 40 }, (_, i) => (i < 20 ? 5 + i * 3 : 185 + (i - 20) * 3));
  const valValues = Array.from({ length: 20 }, (_, i) => (i < 10 ? 8 + i * 5 : 190 + (i - 10) * 5));
  const trainX = grays(trainValues);
  const valX = grays(valValues);
  const train = await bundle.oodInputs(trainX);
  const val = await bundle.oodInputs(valX);
  tf.dispose([trainX, valX]);
  bundle.dispose();
  const stats = fitOod({
    train: train.features,
    trainLabels: trainValues.map((v) => (v < 128 ? 0 : 1)),
    numClasses: 2,
    val: val.features,
    valLogits: val.logits,
  });
  const registry = new ModelRegistry(store);
  await registry.publish('old', { ...files, report: {} });
  await registry.publish('new', { ...files, report: {}, ood: encodeOod(stats) });
});

afterAll(async () => {
  await s3?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('predict with out-of-distribution detection', () => {
  const app = () =>
    createApp({
      models: new RegistryModelSource(store),
      jobs: new StoreJobs(store),
      runner: new RecordingRunner(),
      store,
      token: TOKEN,
    });
  const predict = async (
    a: ReturnType<typeof app>,
    model: string,
    body: Uint8Array<ArrayBuffer>,
    query = '',
  ) => {
    const res = await a.request(`/v1/models/${model}/predict${query}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'image/png' },
      body,
    });
    return { status: res.status, json: (await res.json()) as Predicted };
  };

  it('answers ood {score, threshold, method}, flags an image like none of the labels and keeps the predictions', async () => {
    const a = app();
    const dark = await predict(a, 'new', await grayPng(30, 8));
    expect(dark.status).toBe(200);
    expect(dark.json.ood?.method).toBe('mahalanobis');
    expect(dark.json.ood!.score).toBeLessThanOrEqual(dark.json.ood!.threshold);
    expect(dark.json.unknown).toBe(false);
    expect(dark.json.predictions[0]?.label).toBe('dark');

    const board = await predict(a, 'new', await checkerboard());
    expect(board.json.ood!.score).toBeGreaterThan(board.json.ood!.threshold);
    expect(board.json.unknown).toBe(true);
    expect(board.json.predictions).toHaveLength(2);
    a.serving.dispose();
  });

  it('takes the threshold and the method per request', async () => {
    const a = app();
    const image = await grayPng(30, 8);
    const strict = await predict(a, 'new', image, '?oodThreshold=-1000000');
    expect(strict.json).toMatchObject({ unknown: true, ood: { threshold: -1000000 } });
    const knn = await predict(a, 'new', image, '?oodMethod=knn');
    expect(knn.json.ood?.method).toBe('knn');
    const res = await a.request('/v1/models/new/predict', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        image: Buffer.from(image).toString('base64'),
        oodMethod: 'energy',
        oodThreshold: 1e9,
      }),
    });
    expect(await res.json()).toMatchObject({ unknown: false, ood: { method: 'energy', threshold: 1e9 } });
    const bad = await predict(a, 'new', image, '?oodMethod=magic');
    expect(bad.status).toBe(400);
    a.serving.dispose();
  });

  it('answers ood: null for a version without ood.bin, never an error', async () => {
    const a = app();
    const old = await predict(a, 'old', await checkerboard());
    expect(old.status).toBe(200);
    expect(old.json.ood).toBeNull();
    expect(typeof old.json.unknown).toBe('boolean');
    a.serving.dispose();
  });

  it('does not grow the tensor count over repeated predictions with OOD', async () => {
    const a = app();
    const image = await checkerboard();
    await predict(a, 'new', image);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await predict(a, 'new', image);
    expect(tf.memory().numTensors).toBe(before);
    a.serving.dispose();
  });
});
