/**
 * Training jobs over the real stack: MNIST PNGs imported into the embedded S3, features extracted by the extract
 * function's own code, the real MobileNetV2 backbone on WASM, the real registry and job store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeOod, OOD_BUDGET_BYTES } from '@graft/core';
import { type DatasetSample, encodeGrayPng, importDataset, loadMnistDigits } from '@graft/datasets';
import { createExtractDeps, processObject, rejectKey } from '@graft/extraction';
import { JobStore, type TrainingResult } from '@graft/jobs';
import { initBackend, tf } from '@graft/runtime';
import {
  type BlobStore,
  FeatureStore,
  type LocalS3,
  ModelRegistry,
  S3BlobStore,
  sha256,
  startLocalS3,
} from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OodReport } from '../../../functions/finetune/src/fit-ood.js';
import { runJob } from '../../../functions/finetune/src/index.js';

const CONFIG = { backbone: 'mobilenet_v2', inputSize: 96, cut: 'block_5_add' };
const DIGITS = [0, 1, 4];
const TRAIN = 12;
const VAL = 3;
const TEST = 4;
const BROKEN_KEY = 'datasets/digits/train/1/broken.png';

let dir: string;
let s3: LocalS3;
let store: S3BlobStore;
let jobs: JobStore;
let registry: ModelRegistry;
let samples: (DatasetSample & { split: 'train' | 'val' | 'test' })[];

interface Report {
  dataset: string;
  counts: Record<string, Record<string, number>>;
  rejected: { key: string; code: string; message: string }[];
  decision: { strategy: string; explanation: string };
  history: unknown[];
  test: { accuracy: number; confusion: number[][] };
  testKeys: string[];
  ood: OodReport;
}

async function runOne(spec: Record<string, unknown>) {
  const id = await jobs.create(spec);
  const logs: Record<string, unknown>[] = [];
  const started = performance.now();
  const record = await runJob(id, { store, log: (e) => logs.push(e) });
  const seconds = (performance.now() - started) / 1000;
  const stored = await jobs.get<unknown, TrainingResult>(id);
  return { id, record, stored, logs, seconds };
}

async function readReport(model: string, version: number): Promise<Report> {
  return JSON.parse(new TextDecoder().decode(await registry.readFile(model, version, 'report.json')));
}

async function countUnder(s: BlobStore, prefix: string) {
  let n = 0;
  for await (const _ of s.list(prefix)) n++;
  return n;
}

beforeAll(async () => {
  await initBackend();
  dir = await mkdtemp(path.join(tmpdir(), 'graft-finetune-'));
  s3 = await startLocalS3({ dir, bucket: 'graft-finetune' });
  store = new S3BlobStore(s3.client, s3.bucket);
  jobs = new JobStore(store);
  registry = new ModelRegistry(store);
  const set = await loadMnistDigits({ perClass: TRAIN + VAL + TEST, digits: DIGITS });
  const seen = new Map<number, number>();
  samples = set.images.map((pixels, i) => {
    const digit = set.labels[i]!;
    const n = seen.get(digit) ?? 0;
    seen.set(digit, n + 1);
    const split = n < TRAIN ? 'train' : n < TRAIN + VAL ? 'val' : 'test';
    return { label: String(digit), name: `d ${digit}+${n}.png`, split, bytes: encodeGrayPng(pixels, 28, 28) };
  });
  await importDataset(store, 'digits', samples, { config: CONFIG });
  const png = samples[0]!.bytes;
  await store.put(BROKEN_KEY, png.slice(0, png.length - 40));
  // The fan-out extracted everything (as the runtime would) …
  const deps = createExtractDeps(store);
  for (const s of samples) await processObject(`datasets/digits/${s.split}/${s.label}/${s.name}`, deps);
  await processObject(BROKEN_KEY, deps);
});

afterAll(async () => {
  await s3?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('runJob', () => {
  it('feature-extraction: computes missing features, skips and reports rejected uploads, publishes a version', async () => {
    // … except for two uploads whose features went missing: the job must compute them itself.
    const features = new FeatureStore(store);
    const lost = [samples[1]!, samples[TRAIN + VAL + TEST + 2]!];
    const refs = await Promise.all(
      lost.map(async (s) => ({
        backboneId: 'mobilenet_v2-96',
        cut: 'block_5_add',
        sha256: await sha256(s.bytes),
      })),
    );
    for (const ref of refs) await store.delete(features.key(ref));
    for (const ref of refs) expect(await features.has(ref)).toBe(false);

    const { record, stored, seconds } = await runOne({
      dataset: 'digits',
      model: 'digits',
      strategy: 'feature-extraction',
      options: { epochs: 15 },
    });
    console.log(`feature-extraction job: ${seconds.toFixed(1)} s, ${JSON.stringify(stored.result?.metrics)}`);
    expect(record.error).toBeUndefined();
    expect(record.status).toBe('succeeded');
    expect(stored.status).toBe('succeeded');
    expect(stored.progress).toMatchObject({ phase: 'done', fraction: 1 });
    const result = stored.result!;
    expect(result).toMatchObject({ model: 'digits', version: 1, strategy: 'feature-extraction' });
    expect(result.metrics.accuracy).toBeGreaterThan(1 / DIGITS.length + 0.15);
    expect(result.counts.train).toEqual({ '0': TRAIN, '1': TRAIN + 1, '4': TRAIN });
    for (const ref of refs) expect(await features.has(ref)).toBe(true);

    expect(await registry.listVersions('digits')).toEqual([1]);
    expect((await registry.getCurrent('digits'))?.version).toBe(1);
    for (const file of ['model.json', 'weights.bin', 'graft.json', 'report.json'] as const) {
      expect((await registry.readFile('digits', 1, file)).length).toBeGreaterThan(0);
    }
    const report = await readReport('digits', 1);
    expect(report.dataset).toBe('digits');
    expect(report.history.length).toBeGreaterThan(0);
    expect(report.test.confusion).toHaveLength(DIGITS.length);
    const tested = report.test.confusion.flat().reduce((a, b) => a + b, 0);
    expect(tested).toBe(DIGITS.length * TEST);
    expect(report.testKeys).toHaveLength(DIGITS.length * TEST);
    // the out-of-distribution detector: fitted on the training split, stored as ood.bin, reported
    const ood = decodeOod(await registry.readFile('digits', 1, 'ood.bin'));
    expect(ood.mahalanobis.means.rows).toBe(DIGITS.length);
    expect(report.ood).toMatchObject({ method: ood.method, thresholds: ood.thresholds });
    expect(report.ood.bytes).toBeLessThanOrEqual(OOD_BUDGET_BYTES);
    expect(report.ood.validationScores.length).toBeGreaterThan(0);
    expect(report.ood.referenceScores).toHaveLength(20);
    expect(report.ood.nearest.length).toBeGreaterThan(0);
    for (const n of report.ood.nearest) expect(report.testKeys).toContain(n.key);
    expect(report.rejected).toEqual([
      { key: BROKEN_KEY, code: 'corrupt_image', message: expect.any(String) },
    ]);
    // … and so does the job's result, which `graft train` prints
    expect(result.rejected).toEqual({
      count: 1,
      first: [{ key: BROKEN_KEY, code: 'corrupt_image', message: expect.any(String) }],
    });
    expect(await store.head(await rejectKey('digits', BROKEN_KEY))).toBeDefined();
  });

  it('auto on a data set holding one rejected upload still succeeds (the advisor must skip it)', async () => {
    const { record, seconds } = await runOne({
      dataset: 'digits',
      model: 'digits-auto',
      strategy: 'auto',
      // The advisor is under test, not the race: no time for fine-tuning MobileNetV2.
      options: { epochs: 8, budgetSeconds: 2 },
    });
    const result = record.result;
    console.log(`auto job: ${seconds.toFixed(1)} s → ${result?.strategy} (scenario ${result?.scenario})`);
    expect(record.error).toBeUndefined();
    expect(record.status).toBe('succeeded');
    expect(['feature-extraction', 'freeze-k', 'fine-tune', 'scratch']).toContain(result!.strategy);
    expect([1, 2, 3, 4]).toContain(result!.scenario);
    expect(result!.explanation.length).toBeGreaterThan(20);
    expect(result!.version).toBe(1);
    expect(result!.metrics.accuracy).toBeGreaterThan(1 / DIGITS.length);
    expect((await registry.getCurrent('digits-auto'))?.version).toBe(1);
    const report = await readReport('digits-auto', 1);
    expect(report.decision.strategy).toBe(result!.strategy);
    expect(report.test.confusion).toHaveLength(DIGITS.length);
  });

  it('freeze-k at block_16_project_BN: trains the layers above the cut over stored activations', async () => {
    const { record, seconds } = await runOne({
      dataset: 'digits',
      model: 'digits-freeze',
      strategy: 'freeze-k',
      options: { epochs: 2, cut: 'block_16_project_BN' },
    });
    const result = record.result;
    console.log(`freeze-k job: ${seconds.toFixed(1)} s, ${JSON.stringify(result?.metrics)}`);
    expect(record.error).toBeUndefined();
    expect(record.status).toBe('succeeded');
    expect(result).toMatchObject({ strategy: 'freeze-k', cut: 'block_16_project_BN', version: 1 });
    expect(result!.metrics.accuracy).toBeGreaterThan(1 / DIGITS.length);
    const report = await readReport('digits-freeze', 1);
    expect(report.history).toHaveLength(2);
    expect(report.test.confusion).toHaveLength(DIGITS.length);
  });

  it('an unknown freeze-k cut fails the job with unknown_cut', async () => {
    const { record } = await runOne({
      dataset: 'digits',
      model: 'digits',
      strategy: 'freeze-k',
      options: { epochs: 1, cut: 'no_such_layer' },
    });
    expect(record.status).toBe('failed');
    expect(record.error?.code).toBe('unknown_cut');
    expect((await registry.getCurrent('digits'))?.version).toBe(1);
  });

  it('a data set with no training images fails with no_training_images; the serving version is untouched', async () => {
    const heldOut = samples.filter((s) => s.split !== 'train').map((s) => ({ ...s }));
    await importDataset(store, 'no-train', heldOut, { config: CONFIG });
    const versionsBefore = await registry.listVersions('digits');
    const currentBefore = await registry.getCurrent('digits');
    const { record, stored, logs } = await runOne({
      dataset: 'no-train',
      model: 'digits',
      strategy: 'feature-extraction',
      options: { epochs: 2 },
    });
    expect(record.status).toBe('failed');
    expect(stored.status).toBe('failed');
    expect(stored.error).toMatchObject({
      code: 'no_training_images',
      message: expect.stringContaining('no-train'),
    });
    expect(logs.some((l) => l.msg === 'job failed' && l.code === 'no_training_images')).toBe(true);
    expect(await registry.listVersions('digits')).toEqual(versionsBefore);
    expect(await registry.getCurrent('digits')).toEqual(currentBefore);
  });

  it('a data set whose training images are all unusable fails with no_training_images and rejects records', async () => {
    const text = new TextEncoder().encode('not an image');
    const bad: DatasetSample[] = [
      { label: 'a', name: 'x.png', split: 'train', bytes: text },
      { label: 'b', name: 'y.png', split: 'train', bytes: new Uint8Array(0) },
      { label: 'a', name: 'z.png', split: 'test', bytes: samples[0]!.bytes },
    ];
    await importDataset(store, 'all-bad', bad, { config: CONFIG });
    const { record } = await runOne({
      dataset: 'all-bad',
      model: 'bad-model',
      strategy: 'feature-extraction',
    });
    expect(record.status).toBe('failed');
    expect(record.error?.code).toBe('no_training_images');
    expect(await countUnder(store, 'rejects/all-bad/')).toBe(2);
    expect(await registry.getCurrent('bad-model')).toBeUndefined();
  });

  it('a data set with a single label fails with too_few_labels', async () => {
    const one = samples.filter((s) => s.label === '0').map((s) => ({ ...s }));
    await importDataset(store, 'one-label', one, { config: CONFIG });
    const { record } = await runOne({ dataset: 'one-label', model: 'one', strategy: 'feature-extraction' });
    expect(record.status).toBe('failed');
    expect(record.error?.code).toBe('too_few_labels');
  });

  it('auto on a data set with only good images resolves through the advisor', async () => {
    const clean = samples.map((s) => ({ ...s }));
    await importDataset(store, 'clean', clean, { config: CONFIG });
    const { record, seconds } = await runOne({
      dataset: 'clean',
      model: 'clean-auto',
      strategy: 'auto',
      // The advisor is under test, not the race: no time for fine-tuning MobileNetV2.
      options: { epochs: 8, budgetSeconds: 2 },
    });
    const result = record.result;
    console.log(
      `auto (clean) job: ${seconds.toFixed(1)} s → ${result?.strategy} (scenario ${result?.scenario})`,
    );
    expect(record.error).toBeUndefined();
    expect(record.status).toBe('succeeded');
    expect([1, 2, 3, 4]).toContain(result!.scenario);
    expect(result!.explanation.length).toBeGreaterThan(20);
    expect(result!.metrics.accuracy).toBeGreaterThan(1 / DIGITS.length);
  });

  it('repeated jobs do not leak tensors', async () => {
    const spec = { dataset: 'digits', model: 'leak', strategy: 'feature-extraction', options: { epochs: 1 } };
    await runOne(spec); // warm: anything cached for the life of the process is built here
    const before = tf.memory().numTensors;
    await runOne(spec);
    const afterOne = tf.memory().numTensors;
    await runOne(spec);
    const afterTwo = tf.memory().numTensors;
    console.log(`tensors: ${before} → ${afterOne} → ${afterTwo}`);
    expect(afterTwo - before).toBe(0);
  });
});
