/**
 * Builds a published model in a data directory the way `graft demo` does: embedded runtime, MNIST digits uploaded to
 * S3 (extracted by the event fan-out), a feature-extraction training job through the HTTP API.
 */

import { ApiClient } from '@graft/cli';
import { type DatasetSample, encodeGrayPng, importDataset, loadMnistDigits } from '@graft/datasets';
import { type LoadedModel, RegistryModelSource, type VersionFiles } from '@graft/fn-api';
import type { TrainingJob } from '@graft/jobs';
import { type Runtime, startRuntime } from '@graft/local-aws';

/**
 * Uploads MNIST digits (`perClass` train and half as many val images per digit) as data set `dataset` of a
 * running runtime and waits until its event fan-out has extracted them all.
 *
 * @example
 * ```ts
 * await importDigits(runtime, 'digits', { perClass: 10, inputSize: 96 });
 * ```
 */
export async function importDigits(
  runtime: Runtime,
  dataset: string,
  options: { perClass: number; inputSize: number },
): Promise<void> {
  const val = Math.max(1, Math.round(options.perClass / 2));
  const set = await loadMnistDigits({ perClass: options.perClass + val });
  const seen = new Map<number, number>();
  const samples: DatasetSample[] = set.images.map((pixels, i) => {
    const digit = set.labels[i]!;
    const n = seen.get(digit) ?? 0;
    seen.set(digit, n + 1);
    return {
      label: String(digit),
      name: `digit-${digit}-${n}.png`,
      split: n < options.perClass ? 'train' : 'val',
      bytes: encodeGrayPng(pixels, set.width, set.height),
    };
  });
  await importDataset(runtime.store, dataset, samples, {
    config: { backbone: 'mobilenet_v2', inputSize: options.inputSize, cut: 'block_5_add' },
  });
  await runtime.extractionIdle();
}

/**
 * Trains model `model` on `dataset` through the runtime's HTTP API (feature extraction; the job publishes the next
 * version) and resolves once the job succeeded (throws when it failed).
 *
 * @example
 * ```ts
 * const { seconds } = await trainThroughApi(runtime, { dataset: 'digits', model: 'digits', epochs: 10 });
 * ```
 */
export async function trainThroughApi(
  runtime: Runtime,
  options: { dataset: string; model: string; epochs?: number },
): Promise<{ id: string; seconds: number }> {
  const api = new ApiClient(runtime.apiUrl, runtime.token);
  const t0 = performance.now();
  const { id } = await api.json<{ id: string }>('POST', '/v1/trainings', {
    dataset: options.dataset,
    model: options.model,
    strategy: 'feature-extraction',
    options: { epochs: options.epochs ?? 10 },
  });
  await runtime.jobsIdle();
  let job = await api.json<TrainingJob>('GET', `/v1/trainings/${encodeURIComponent(id)}`);
  for (let i = 0; i < 100 && job.status !== 'succeeded' && job.status !== 'failed'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    job = await api.json<TrainingJob>('GET', `/v1/trainings/${encodeURIComponent(id)}`);
  }
  if (job.status !== 'succeeded')
    throw new Error(`training job ${id} ended ${job.status}: ${JSON.stringify(job.error)}`);
  return { id, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Trains and publishes model `name` (version 1) in `dataDir` and returns it loaded in this process (the same
 * loader the API uses) for raw-inference timing. The runtime is closed again before this resolves.
 *
 * @example
 * ```ts
 * const { model, version } = await publishDigitsModel({ dataDir, name: 'digits', perClass: 4, inputSize: 96 });
 * ```
 */
export async function publishDigitsModel(options: {
  dataDir: string;
  name: string;
  perClass: number;
  inputSize: number;
  epochs?: number;
  log(message: string): void;
}): Promise<{ model: LoadedModel; version: number; trainSeconds: number; files: VersionFiles }> {
  const runtime = await startRuntime({ dataDir: options.dataDir, port: 0, workers: 1, log: options.log });
  try {
    const dataset = 'api-bench';
    await importDigits(runtime, dataset, options);
    const { seconds: trainSeconds } = await trainThroughApi(runtime, {
      dataset,
      model: options.name,
      epochs: options.epochs,
    });
    const source = new RegistryModelSource(runtime.store);
    const current = await source.getCurrent(options.name);
    if (!current) throw new Error(`model ${options.name} was not published`);
    const model = await source.loadVersion(options.name, current.version);
    await model.warmup?.();
    const files = await source.registry.readBundleFiles(options.name, current.version);
    return { model, version: current.version, trainSeconds, files };
  } finally {
    await runtime.close();
  }
}
