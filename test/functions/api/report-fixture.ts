/**
 * A real trained model for the report tests: MNIST digits imported into the embedded S3 (one class labelled
 * with HTML, one upload broken on purpose), two real feature-extraction jobs (`runJob`, MobileNetV2 at 96 px on
 * WASM) publishing versions 1 and 2 with their report.json.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeGrayPng, importDataset, loadMnistDigits } from '@graft/datasets';
import { JobStore } from '@graft/jobs';
import { initBackend } from '@graft/runtime';
import { type LocalS3, ModelRegistry, S3BlobStore, startLocalS3 } from '@graft/storage';
import { runJob } from '../../../functions/finetune/src/index.js';

/** A label that is HTML: the pages must show it as text, never run it. */
export const EVIL_LABEL = '<img src=x onerror=alert(7)>';
/** The digits trained, and their labels in the store. */
export const DIGIT_LABELS: Record<number, string> = { 0: '0', 1: '1', 7: EVIL_LABEL };
export const PER_SPLIT = { train: 10, val: 3, test: 5 } as const;
export const BROKEN_KEY = 'datasets/digits/train/0/broken.png';

/**
 * The running fixture.
 *
 * @example
 * ```ts
 * const fx = await startReportFixture();
 * fx.store; // S3BlobStore with models/digits/versions/{1,2}
 * await fx.close();
 * ```
 */
export interface ReportFixture {
  s3: LocalS3;
  store: S3BlobStore;
  registry: ModelRegistry;
  model: string;
  /** Seconds the two jobs took. */
  jobSeconds: number[];
  /** One PNG of each digit that is not in the data set (for predictions). */
  probes: { label: string; png: Uint8Array }[];
  close(): Promise<void>;
}

/**
 * Imports the data set and trains versions 1 (2 epochs) and 2 (12 epochs) of model `digits`.
 *
 * @example
 * ```ts
 * beforeAll(async () => { fx = await startReportFixture(); }, 180_000);
 * ```
 */
export async function startReportFixture(): Promise<ReportFixture> {
  await initBackend();
  const dir = await mkdtemp(path.join(tmpdir(), 'graft-report-'));
  const s3 = await startLocalS3({ dir, bucket: 'graft-report' });
  const store = new S3BlobStore(s3.client, s3.bucket);
  const jobs = new JobStore(store);
  const perClass = PER_SPLIT.train + PER_SPLIT.val + PER_SPLIT.test;
  const digits = Object.keys(DIGIT_LABELS).map(Number);
  const set = await loadMnistDigits({ perClass: perClass + 1, digits });
  const seen = new Map<number, number>();
  const samples: { label: string; name: string; split: 'train' | 'val' | 'test'; bytes: Uint8Array }[] = [];
  const probes: { label: string; png: Uint8Array }[] = [];
  set.images.forEach((pixels, i) => {
    const digit = set.labels[i]!;
    const n = seen.get(digit) ?? 0;
    seen.set(digit, n + 1);
    const bytes = encodeGrayPng(pixels, 28, 28);
    const label = DIGIT_LABELS[digit]!;
    if (n === perClass) {
      probes.push({ label, png: bytes });
      return;
    }
    const split = n < PER_SPLIT.train ? 'train' : n < PER_SPLIT.train + PER_SPLIT.val ? 'val' : 'test';
    samples.push({ label, name: `d${digit}-${n}.png`, split, bytes });
  });
  await importDataset(store, 'digits', samples, {
    config: { backbone: 'mobilenet_v2', inputSize: 96, cut: 'block_5_add' },
  });
  const png = samples[0]!.bytes;
  await store.put(BROKEN_KEY, png.slice(0, png.length - 40));
  const jobSeconds: number[] = [];
  for (const epochs of [2, 12]) {
    const started = performance.now();
    const id = await jobs.create({
      dataset: 'digits',
      model: 'digits',
      strategy: 'feature-extraction',
      options: { epochs },
    });
    const record = await runJob(id, { store, log: () => {} });
    if (record.status !== 'succeeded') throw new Error(`fixture job failed: ${JSON.stringify(record.error)}`);
    jobSeconds.push((performance.now() - started) / 1000);
  }
  return {
    s3,
    store,
    registry: new ModelRegistry(store),
    model: 'digits',
    jobSeconds,
    probes,
    close: async () => {
      await s3.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
