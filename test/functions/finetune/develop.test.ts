/**
 * "Develop a source model" as a job, over the real stack: MNIST PNGs in the embedded S3, the Keras MNIST CNN
 * trained from scratch on WASM (its conv gradients are Graft's kernels), published like any model with the source
 * statistics the similarity measure needs once it is registered as a backbone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type DatasetSample, encodeGrayPng, importDataset, loadMnistDigits } from '@graft/datasets';
import { JobStore, type TrainingResult, type TrainingSpec } from '@graft/jobs';
import { initBackend, tf } from '@graft/runtime';
import { type LocalS3, ModelRegistry, S3BlobStore, startLocalS3 } from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../../functions/finetune/src/index.js';

const DIGITS = [0, 1, 4, 7];
const TRAIN = 60;
const VAL = 10;

let dir: string;
let s3: LocalS3;
let store: S3BlobStore;
let jobs: JobStore;

beforeAll(async () => {
  await initBackend();
  dir = await mkdtemp(path.join(tmpdir(), 'graft-develop-'));
  s3 = await startLocalS3({ dir, bucket: 'graft-develop' });
  store = new S3BlobStore(s3.client, s3.bucket);
  jobs = new JobStore(store);
  const set = await loadMnistDigits({ perClass: TRAIN + VAL, digits: DIGITS });
  const seen = new Map<number, number>();
  const samples: DatasetSample[] = set.images.map((pixels, i) => {
    const digit = set.labels[i]!;
    const n = seen.get(digit) ?? 0;
    seen.set(digit, n + 1);
    const split = n < TRAIN ? 'train' : 'val';
    return { label: String(digit), name: `${digit}-${n}.png`, split, bytes: encodeGrayPng(pixels, 28, 28) };
  });
  // The data set's extraction config is irrelevant to develop (it trains from the images); the job never extracts.
  await importDataset(store, 'source', samples, {
    config: { backbone: 'mobilenet_v2', inputSize: 96, cut: 'block_13_expand_relu' },
  });
});

afterAll(async () => {
  await s3?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('develop as a job', () => {
  it('trains a source CNN from scratch, publishes it with its source statistics and warns it is small', async () => {
    const before = tf.memory().numTensors;
    const spec: TrainingSpec = {
      dataset: 'source',
      model: 'source',
      strategy: 'develop',
      options: { architecture: 'mnist-cnn', epochs: 6 },
    };
    const id = await jobs.create(spec);
    await runJob(id, { store });
    const job = await jobs.get<TrainingSpec, TrainingResult>(id);
    expect(job.error).toBeUndefined();
    const result = job.result!;
    expect(result).toMatchObject({ strategy: 'develop', backbone: 'mnist-cnn', promoted: true });
    expect(result.validation).toMatchObject({ images: 40, judged: true, passed: true });
    expect(result.warnings?.[0]).toMatch(/only 60 training images per class/);
    const registry = new ModelRegistry(store);
    const report = JSON.parse(
      new TextDecoder().decode(await registry.readFile('source', result.version, 'report.json')),
    );
    expect(report.sourceStats.method).toBe('source-statistics');
    expect(report.sourceStats.inputSize).toBe(28);
    expect(report.sourceStats.layers.map((l: { name: string }) => l.name)).toContain('features');
    for (const layer of report.sourceStats.layers as { mean: number[]; variance: number[] }[]) {
      expect(layer.mean.length).toBe(layer.variance.length);
      expect(layer.variance.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    }
    const graft = JSON.parse(
      new TextDecoder().decode(await registry.readFile('source', result.version, 'graft.json')),
    );
    expect(graft).toMatchObject({ strategy: 'develop', input: { size: 28, channels: 3 } });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses develop options on other strategies', async () => {
    const id = await jobs.create({
      dataset: 'source',
      model: 'nope',
      strategy: 'scratch',
      options: { architecture: 'mnist-cnn' },
    } satisfies TrainingSpec);
    await runJob(id, { store });
    expect((await jobs.get(id)).error?.code).toBe('invalid_options');
  });
});
