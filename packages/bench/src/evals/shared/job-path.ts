import { type DatasetConfigInput, type DatasetSample, encodeGrayPng, importDataset } from '@graft/datasets';
import { createExtractDeps, processObject } from '@graft/extraction';
import { runJob } from '@graft/fn-finetune';
import type { JobStore, TrainingJob, TrainingResult, TrainingSpec } from '@graft/jobs';
import type { BlobStore } from '@graft/storage';
import { samplePerClass } from './scenario-data.js';

/**
 * One 28×28 gray image as an upload of class `c<label>`.
 *
 * @example
 * ```ts
 * const upload = graySample(pixels, 3, 'p17', 'train'); // datasets/<d>/train/c3/p17.png
 * ```
 */
export function graySample(
  pixels: Uint8Array,
  label: number,
  name: string,
  split: 'train' | 'val' | 'test',
): DatasetSample {
  return { label: `c${label}`, name: `${name}.png`, split, bytes: encodeGrayPng(pixels, 28, 28) };
}

/**
 * Imports `samples` as data set `dataset` and runs the fan-out's own extraction code over every upload (what the
 * extract workers do after the S3 events), so the jobs find their features stored.
 *
 * @example
 * ```ts
 * await importAndExtract(store, 'digits', samples, { backbone: 'mobilenet_v2', inputSize: 96, cut: 'block_13_expand_relu' });
 * ```
 */
export async function importAndExtract(
  store: BlobStore,
  dataset: string,
  samples: DatasetSample[],
  config: DatasetConfigInput,
): Promise<void> {
  await importDataset(store, dataset, samples, { config });
  const deps = createExtractDeps(store);
  try {
    for (const s of samples) await processObject(`datasets/${dataset}/${s.split}/${s.label}/${s.name}`, deps);
  } finally {
    await deps.extractors.dispose?.();
  }
}

/**
 * Runs one training job through the product's job code and returns its record.
 *
 * @example
 * ```ts
 * const job = await trainingJob(jobs, store, { dataset: 'digits', model: 'digits', strategy: 'auto' });
 * ```
 */
export async function trainingJob(
  jobs: JobStore,
  store: BlobStore,
  spec: TrainingSpec,
): Promise<TrainingJob> {
  const id = await jobs.create(spec);
  await runJob(id, { store });
  return jobs.get<TrainingSpec, TrainingResult>(id);
}

/**
 * One sampled data set as uploads: `perClass` training and `valPerClass` validation images of each class drawn from
 * `pool` with `seed` (the same draw as {@link samplePerClass}), and every image of `test` as the test split.
 *
 * @example
 * ```ts
 * const samples = sampledUploads({ pool, test, perClass: 20, valPerClass: 15, seed: 1 });
 * ```
 */
export function sampledUploads(a: {
  pool: { images: Uint8Array[]; labels: number[] };
  test: { images: Uint8Array[]; labels: number[] };
  perClass: number;
  valPerClass: number;
  seed: number;
}): DatasetSample[] {
  const seen = new Map<number, number>();
  const samples: DatasetSample[] = [];
  for (const i of samplePerClass(a.pool.labels, a.perClass + a.valPerClass, a.seed)) {
    const label = a.pool.labels[i]!;
    const k = seen.get(label) ?? 0;
    seen.set(label, k + 1);
    samples.push(graySample(a.pool.images[i]!, label, `p${i}`, k < a.perClass ? 'train' : 'val'));
  }
  for (const [i, img] of a.test.images.entries())
    samples.push(graySample(img, a.test.labels[i]!, `t${i}`, 'test'));
  return samples;
}
