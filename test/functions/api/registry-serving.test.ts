/**
 * The API over the real stack: embedded S3 (startLocalS3), the real ModelRegistry and JobStore, real bundles
 * loaded by @graft/core, real image decoding.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BundleFiles, loadBundle } from '@graft/core';
import { JobStore } from '@graft/jobs';
import { initBackend, tf } from '@graft/runtime';
import { type LocalS3, ModelRegistry, S3BlobStore, startLocalS3 } from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, RegistryModelSource, StoreJobs } from '../../../functions/api/src/index.js';
import { auth, grayPng, RecordingRunner, TOKEN } from './fakes.js';
import { tinyBundleFiles } from './tiny-bundle.js';

let s3: LocalS3;
let dir: string;
let store: S3BlobStore;
let registry: ModelRegistry;
let files: BundleFiles;
let files2: BundleFiles;
/** Tensors @graft/core's loadBundle + dispose leaves behind per cycle (measured; 0 once core frees everything). */
let coreLeakPerLoad = 0;
/** The same for a load that fails on truncated weights. */
let coreLeakPerFailedLoad = 0;
const truncated = (f: BundleFiles): BundleFiles => ({ ...f, weights: f.weights.slice(0, 100) });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'graft-api-registry-'));
  s3 = await startLocalS3({ dir, bucket: 'graft-api-registry' });
  store = new S3BlobStore(s3.client, s3.bucket);
  registry = new ModelRegistry(store);
  files = await tinyBundleFiles(1);
  files2 = await tinyBundleFiles(2);
  await initBackend();
  const before = tf.memory().numTensors;
  (await loadBundle(files)).dispose();
  coreLeakPerLoad = tf.memory().numTensors - before;
  await expect(loadBundle(truncated(files))).rejects.toThrow();
  coreLeakPerFailedLoad = tf.memory().numTensors - before - coreLeakPerLoad;
});

afterAll(async () => {
  await s3?.close();
  await rm(dir, { recursive: true, force: true });
});

const publish = (name: string, f: BundleFiles, report: object = { accuracy: 1 }) =>
  registry.publish(name, { modelJson: f.modelJson, weights: f.weights, graft: f.graft, report });

interface Predicted {
  version: number;
  predictions: Array<{ label: string; score: number }>;
  unknown: boolean;
  timings: { decodeMs: number; inferMs: number };
}

describe('serving from the real registry on the embedded S3', () => {
  it('serves, swaps to new versions, survives a broken one, and rolls back through promote', async () => {
    expect(await publish('tiny', files)).toBe(1);
    const runner = new RecordingRunner();
    const app = createApp({
      models: new RegistryModelSource(store),
      jobs: new StoreJobs(store),
      runner,
      store,
      token: TOKEN,
      refreshMs: 50,
      defaultModel: 'tiny',
    });
    const dark = await grayPng(20, 12);
    const predict = async (): Promise<Predicted> => {
      const res = await app.request('/v1/models/tiny/predict?topK=2', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'image/png' },
        body: dark,
      });
      expect(res.status).toBe(200);
      return (await res.json()) as Predicted;
    };
    const waitForVersion = async (version: number) => {
      for (let i = 0; i < 100; i++) {
        const p = await predict();
        if (p.version === version) return p;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`version ${version} was never served`);
    };

    const first = await predict();
    expect(first.version).toBe(1);
    expect(first.predictions[0]?.label).toBe('dark');
    expect(first.predictions).toHaveLength(2);
    const tensorsWithOneModel = tf.memory().numTensors;

    // a new version published (and pointed at) by a training job elsewhere
    expect(await publish('tiny', files2, { accuracy: 0.99 })).toBe(2);
    const second = await waitForVersion(2);
    expect(second.predictions[0]?.label).toBe('dark');
    // v1 disposed after the swap: only what core's own load/dispose cycle leaves behind remains
    expect(tf.memory().numTensors).toBe(tensorsWithOneModel + coreLeakPerLoad);

    // a broken version: weights.bin truncated
    expect(await publish('tiny', truncated(files))).toBe(3);
    await new Promise((r) => setTimeout(r, 60));
    await predict(); // triggers the background refresh
    await app.serving.settled('tiny');
    expect((await predict()).version).toBe(2);
    const ready = await app.request('/ready');
    expect(ready.status).toBe(200);
    const readyBody = (await ready.json()) as {
      models: Array<{ version: number; lastError: { version: number; attempts: number; message: string } }>;
    };
    expect(readyBody.models[0]).toMatchObject({ name: 'tiny', version: 2, lastError: { version: 3 } });
    expect(readyBody.models[0]?.lastError.message).toMatch(/should have 108 values/);
    const attempts = readyBody.models[0]?.lastError.attempts ?? 0;
    expect(attempts).toBeGreaterThanOrEqual(1);
    expect(attempts).toBeLessThanOrEqual(3); // back-off: not one load per request
    // the failed loads left nothing behind beyond what core's loader itself leaks
    expect(tf.memory().numTensors).toBe(
      tensorsWithOneModel + coreLeakPerLoad + attempts * coreLeakPerFailedLoad,
    );

    // roll back through the API
    const promote = await app.request('/v1/models/tiny/promote', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ version: 1 }),
    });
    expect(promote.status).toBe(200);
    expect((await registry.getCurrent('tiny'))?.version).toBe(1);
    await waitForVersion(1);

    const model = (await (await app.request('/v1/models/tiny', { headers: auth })).json()) as {
      servingVersion: number;
      versions: Array<{ version: number; metrics: unknown; strategy: string; labels: string[] }>;
    };
    expect(model.servingVersion).toBe(1);
    expect(model.versions.map((v) => v.version)).toEqual([1, 2, 3]);
    expect(model.versions[1]).toMatchObject({ strategy: 'feature-extraction', labels: ['dark', 'light'] });
    expect(model.versions[1]?.metrics).toMatchObject({ seed: 2 });

    const list = await (await app.request('/v1/models', { headers: auth })).json();
    expect(list).toEqual({ models: [{ name: 'tiny', servingVersion: 1, latestVersion: 3 }] });
    const missing = await app.request('/v1/models/tiny/promote', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ version: 9 }),
    });
    expect(missing.status).toBe(404);
    app.serving.dispose();
  });

  it('reads a stored upload by s3Key and classifies it with the real model', async () => {
    await store.put('uploads/bright.png', await grayPng(240, 9));
    const app = createApp({
      models: new RegistryModelSource(store),
      jobs: new StoreJobs(store),
      runner: new RecordingRunner(),
      store,
      token: TOKEN,
    });
    const res = await app.request('/v1/models/tiny/predict', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ s3Key: 'uploads/bright.png', topK: 1 }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Predicted).predictions[0]?.label).toBe('light');
    app.serving.dispose();
  });

  it('stores training jobs in jobs/<id>.json and marks a refused submission failed', async () => {
    const runner = new RecordingRunner();
    const app = createApp({
      models: new RegistryModelSource(store),
      jobs: new StoreJobs(store),
      runner,
      token: TOKEN,
    });
    const create = (body: object) =>
      app.request('/v1/trainings', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const res = await create({
      dataset: 'digits',
      model: 'digits',
      strategy: 'fine-tune',
      options: { epochs: 2 },
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/); // ULID
    expect(runner.submitted).toEqual([id]);
    expect(await store.head(`jobs/${id}.json`)).toBeDefined();
    const job = await (await app.request(`/v1/trainings/${id}`, { headers: auth })).json();
    expect(job).toMatchObject({
      id,
      status: 'queued',
      spec: { dataset: 'digits', model: 'digits', strategy: 'fine-tune', options: { epochs: 2 } },
    });
    expect((await app.request('/v1/trainings/01ARZ3NDEKTSV4RRFFQ69G5FAV', { headers: auth })).status).toBe(
      404,
    );

    runner.refuse = 'queue disabled';
    const refused = await create({ dataset: 'digits', model: 'digits' });
    expect(refused.status).toBe(502);
    const failed = (await new JobStore(store).list({ status: 'failed' }))[0];
    expect(failed).toMatchObject({
      status: 'failed',
      spec: { strategy: 'auto' },
      error: { code: 'submit_failed' },
    });
  });
});
