/**
 * Two training jobs publishing the same model at once, through the real job path (MNIST PNGs in the embedded S3,
 * MobileNetV2 features, the real registry): they get consecutive versions, neither overwrites the other's files,
 * and every time anyone reads `current.json` while they publish it names a complete version. Then the registry
 * alone under eight concurrent publishers, where the race for a number is much tighter. And jobs that must stop:
 * cancelled while training, cancelled while queued, over their time budget — none publishes anything. And a cancel
 * that races the publish, held at each side of the job's commit point: a complete version and a `succeeded` record,
 * or nothing at all under the model and a `cancelled` record.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeGrayPng, importDataset, loadMnistDigits } from '@graft/datasets';
import { createExtractDeps, processObject } from '@graft/extraction';
import { JobStore, type TrainingResult } from '@graft/jobs';
import { initBackend, tf } from '@graft/runtime';
import {
  type BlobBody,
  type BlobStore,
  type LocalS3,
  ModelRegistry,
  type PutOptions,
  S3BlobStore,
  startLocalS3,
} from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../../functions/finetune/src/index.js';

const CONFIG = { backbone: 'mobilenet_v2', inputSize: 96, cut: 'block_5_add' };
const PER_SPLIT = { train: 8, val: 3, test: 3 } as const;

let dir: string;
let s3: LocalS3;
let store: S3BlobStore;
let registry: ModelRegistry;

beforeAll(async () => {
  await initBackend();
  dir = await mkdtemp(path.join(tmpdir(), 'graft-concurrent-'));
  s3 = await startLocalS3({ dir, bucket: 'graft-concurrent' });
  store = new S3BlobStore(s3.client, s3.bucket);
  registry = new ModelRegistry(store);
  const perClass = PER_SPLIT.train + PER_SPLIT.val + PER_SPLIT.test;
  const set = await loadMnistDigits({ perClass, digits: [0, 1] });
  const seen = new Map<number, number>();
  const samples = set.images.map((pixels, i) => {
    const digit = set.labels[i]!;
    const n = seen.get(digit) ?? 0;
    seen.set(digit, n + 1);
    const split = n < PER_SPLIT.train ? 'train' : n < PER_SPLIT.train + PER_SPLIT.val ? 'val' : 'test';
    return {
      label: String(digit),
      name: `${digit}-${n}.png`,
      split,
      bytes: encodeGrayPng(pixels, 28, 28),
    } as const;
  });
  await importDataset(store, 'digits', samples, { config: CONFIG });
  const deps = createExtractDeps(store);
  for (const s of samples) await processObject(`datasets/digits/${s.split}/${s.label}/${s.name}`, deps);
}, 180_000);

afterAll(async () => {
  await s3?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Reads `current.json` until `stop()`; every pointer seen must name a version with all four files. */
async function watchPointer(
  model: string,
  stop: () => boolean,
): Promise<{ reads: number; seen: Set<number> }> {
  const seen = new Set<number>();
  let reads = 0;
  while (!stop()) {
    const pointer = await registry.getCurrent(model);
    reads++;
    if (pointer) {
      seen.add(pointer.version);
      expect(await registry.listVersions(model), `pointer at v${pointer.version}`).toContain(pointer.version);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { reads, seen };
}

describe('concurrent publishes of one model', () => {
  it('two training jobs at once: consecutive versions, no overwrite, the pointer always complete', async () => {
    const jobs = new JobStore(store);
    const epochs = [3, 5];
    const ids = await Promise.all(
      epochs.map((e, i) =>
        jobs.create({
          dataset: 'digits',
          model: 'twins',
          strategy: 'feature-extraction',
          promote: 'always',
          options: { epochs: e, seed: i + 1 },
        }),
      ),
    );
    let done = false;
    const watcher = watchPointer('twins', () => done);
    const records = await Promise.all(ids.map((id) => runJob(id, { store }))).finally(() => {
      done = true;
    });
    const { reads, seen } = await watcher;

    for (const r of records) expect(r.status, JSON.stringify(r.error)).toBe('succeeded');
    const versions = records.map((r) => (r.result as TrainingResult).version);
    expect([...versions].sort()).toEqual([1, 2]);
    expect(await registry.listVersions('twins')).toEqual([1, 2]);
    // Each version holds its own job's model: the report's history has that job's epochs.
    for (const [i, version] of versions.entries()) {
      const report = (await registry.readJson('twins', version!, 'report.json')) as { history: unknown[] };
      expect(report.history).toHaveLength(epochs[i]!);
    }
    expect(versions).toContain((await registry.getCurrent('twins'))?.version);
    expect(reads).toBeGreaterThan(0);
    for (const v of seen) expect([1, 2]).toContain(v);
  }, 300_000);

  it('eight publishers at once through the registry: versions 1..8, each its own files', async () => {
    const files = (n: number) => ({
      modelJson: { modelTopology: {}, weightsManifest: [{ paths: ['weights.bin'], weights: [] }] },
      weights: new Uint8Array(64 * 1024).fill(n),
      graft: { publisher: n },
      report: { publisher: n },
    });
    let done = false;
    const watcher = watchPointer('crowd', () => done);
    const published = await Promise.all(
      Array.from({ length: 8 }, (_, n) => registry.publish('crowd', files(n))),
    ).finally(() => {
      done = true;
    });
    await watcher;
    expect([...published].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const [n, version] of published.entries()) {
      expect(await registry.readJson('crowd', version, 'graft.json')).toEqual({ publisher: n });
      expect(await registry.readJson('crowd', version, 'report.json')).toEqual({ publisher: n });
      const weights = await registry.readFile('crowd', version, 'weights.bin');
      expect(weights.every((b) => b === n)).toBe(true);
    }
  }, 120_000);
});

describe('jobs that must stop publish nothing', () => {
  const longJob = (model: string) => ({
    dataset: 'digits',
    model,
    strategy: 'feature-extraction',
    promote: 'always',
    // No early stopping: on a quiet machine 24 images stop improving within the 4 s budget the test sets.
    options: { epochs: 1000, batchSize: 1, earlyStopping: { patience: 1000 } },
  });

  async function untilTraining(jobs: JobStore, id: string): Promise<void> {
    for (;;) {
      const job = await jobs.get(id);
      if (job.progress?.phase === 'train' || (job.status !== 'running' && job.status !== 'queued')) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('a job cancelled while it trains stops within seconds, ends cancelled and frees its tensors', async () => {
    const jobs = new JobStore(store);
    const tensorsBefore = tf.memory().numTensors;
    const id = await jobs.create(longJob('stopped'));
    const run = runJob(id, { store, pollMs: 200 });
    await untilTraining(jobs, id);
    const cancelled = await jobs.cancel(id);
    expect(cancelled.status).toBe('cancelled');
    const started = performance.now();
    const record = await run;
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeLessThan(5);
    expect(record.status).toBe('cancelled');
    expect((await jobs.get(id)).status).toBe('cancelled');
    expect(await registry.listVersions('stopped')).toEqual([]);
    expect(await registry.getCurrent('stopped')).toBeUndefined();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(tensorsBefore);
  }, 120_000);

  it('a job cancelled while queued never starts', async () => {
    const jobs = new JobStore(store);
    const id = await jobs.create(longJob('never'));
    await jobs.cancel(id);
    const record = await runJob(id, { store });
    expect(record.status).toBe('cancelled');
    expect(record.progress).toBeUndefined();
    expect(await registry.listVersions('never')).toEqual([]);
  });

  it('a job over its time budget ends failed with time_budget_exceeded', async () => {
    const jobs = new JobStore(store);
    const id = await jobs.create(longJob('slow'));
    const started = performance.now();
    const record = await runJob(id, { store, maxSeconds: 4 });
    expect((performance.now() - started) / 1000).toBeLessThan(15);
    expect(record.status).toBe('failed');
    expect(record.error?.code).toBe('time_budget_exceeded');
    expect(await registry.listVersions('slow')).toEqual([]);
  }, 120_000);
});

/**
 * The job's store, with its first write of a key matching `pause` held until the test releases it: the moment the
 * cancel must land in. Every call goes to the real S3.
 */
function heldAt(pause: (key: string) => boolean): {
  store: BlobStore;
  reached: Promise<string>;
  release(): void;
} {
  let reach: (key: string) => void = () => {};
  const reached = new Promise<string>((resolve) => {
    reach = resolve;
  });
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let held = false;
  const gated: BlobStore = {
    get: (key) => store.get(key),
    head: (key) => store.head(key),
    list: (prefix, options) => store.list(prefix, options),
    delete: (key) => store.delete(key),
    async put(key: string, body: BlobBody, options?: PutOptions) {
      if (!held && pause(key)) {
        held = true;
        reach(key);
        await released;
      }
      return store.put(key, body, options);
    },
  };
  return { store: gated, reached, release };
}

describe('a cancel that races the publish', () => {
  const job = (model: string) => ({
    dataset: 'digits',
    model,
    strategy: 'feature-extraction',
    promote: 'always',
    options: { epochs: 3, seed: 7 },
  });

  it('arriving while the version is written: refused; the version completes, the pointer names it, the record says succeeded', async () => {
    const jobs = new JobStore(store);
    const id = await jobs.create(job('committed'));
    const held = heldAt((key) => key.startsWith('models/committed/versions/'));
    const run = runJob(id, { store: held.store, pollMs: 100 });
    expect(await held.reached).toBe('models/committed/versions/1/graft.json');
    const refused = await jobs.cancel(id);
    expect(refused.status).toBe('running');
    expect(await jobs.cancelRequested(id)).toBe(false);
    // The job's cancel watch polls meanwhile; it must not stop the job either.
    await new Promise((resolve) => setTimeout(resolve, 300));
    held.release();
    const record = await run;
    expect(record.status, JSON.stringify(record.error)).toBe('succeeded');
    expect((record.result as TrainingResult).version).toBe(1);
    expect(await registry.listVersions('committed')).toEqual([1]);
    expect((await registry.getCurrent('committed'))?.version).toBe(1);
    expect((await jobs.get(id)).status).toBe('succeeded');
  }, 120_000);

  it('arriving just before the job claims its publish: the job stops, nothing is written under the model, the record says cancelled', async () => {
    const jobs = new JobStore(store);
    const id = await jobs.create(job('withdrawn'));
    // The job's claim is its write of jobs/<id>.cancel; hold it, cancel, then let it through (it finds the cancel).
    const held = heldAt((key) => key.endsWith('.cancel'));
    const run = runJob(id, { store: held.store, pollMs: 100 });
    await held.reached;
    expect((await jobs.cancel(id)).status).toBe('cancelled');
    held.release();
    const record = await run;
    expect(record.status).toBe('cancelled');
    const written: string[] = [];
    for await (const info of store.list('models/withdrawn/')) written.push(info.key);
    expect(written).toEqual([]);
    expect(await registry.getCurrent('withdrawn')).toBeUndefined();
  }, 120_000);
});
