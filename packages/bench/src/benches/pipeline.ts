/**
 * `graft bench pipeline`: images/s from upload to stored feature on the embedded runtime (local S3 → object-created
 * events → queue → extraction worker threads → feature objects), with 1 and 2 workers, against the raw throughput of
 * the same compiled trunk (same input size and cut) in as many threads as the pipeline has workers, measured right
 * before and after each run (see {@link startRawTrunk}). `overheadPct` = raw / pipeline − 1, in percent: the extra
 * time per image the pipeline adds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { numberFlag } from '@graft/cli';
import { type DatasetSample, encodeGrayPng, importDataset, loadMnistDigits } from '@graft/datasets';
import { startRuntime } from '@graft/local-aws';
import { initBackend } from '@graft/runtime';
import { listFlag, median, round } from './bench-stats.js';
import { measureAnatomy } from './pipeline-anatomy.js';
import { startRawTrunk } from './raw-trunk.js';
import type { BenchRun } from './types.js';

/** Same defaults as `graft demo`: MobileNetV2 at 96 px cut at `block_13_expand_relu`. */
const CONFIG = { backbone: 'mobilenet_v2', inputSize: 96, cut: 'block_13_expand_relu' };

function digitSamples(set: Awaited<ReturnType<typeof loadMnistDigits>>, from: number, count: number) {
  const samples: DatasetSample[] = [];
  for (let i = from; i < from + count; i++) {
    const label = String(set.labels[i]);
    samples.push({
      label,
      name: `digit-${label}-${i}.png`,
      split: 'train',
      bytes: encodeGrayPng(set.images[i]!, set.width, set.height),
    });
  }
  return samples;
}

/**
 * Flags: `--images 200` (timed uploads per run), `--workers 1,2`, `--iterations 30` (raw trunk runs before and after
 * each pipeline run), `--input-size 96,224` (the headline is the first size with the most workers: the demo's 96 px;
 * 224 px is what photos need, where the trunk's share of the work is larger). Also reports worker start-up and a
 * per-step anatomy of one image at the first size.
 *
 * @example
 * ```ts
 * const result = await run({ images: '20', workers: '1' }, console.log);
 * ```
 */
export const run: BenchRun = async (flags, log) => {
  const images = Math.max(2, Math.round(numberFlag(flags, 'images', 200)));
  const workerCounts = listFlag(flags, 'workers', [1, 2]);
  const iterations = Math.max(3, Math.round(numberFlag(flags, 'iterations', 30)));
  const sizes = listFlag(flags, 'input-size', [CONFIG.inputSize, 224]);
  await initBackend({ backend: 'wasm' });
  const warm = 8 * Math.max(...workerCounts);
  const set = await loadMnistDigits({ perClass: Math.ceil((images + warm) / 10) + 1 });
  const rows = [];
  for (const inputSize of sizes) {
    const config = { ...CONFIG, inputSize };
    rows.push(...(await runSize(config, { images, warm, workerCounts, iterations, set }, log)));
  }
  const config = { ...CONFIG, inputSize: sizes[0]! };
  log('anatomy of one image …');
  const anatomySet = digitSamples(set, 0, Math.min(30, images)).map((s) => s.bytes);
  const anatomy = await measureAnatomy(anatomySet, config);
  const head = rows.filter((r) => r.inputSize === config.inputSize).at(-1)!;
  return {
    imagesPerSec: head.imagesPerSec,
    rawImagesPerSec: head.rawImagesPerSec,
    overheadPct: head.overheadPct,
    workers: head.workers,
    images,
    config,
    rows,
    anatomyMs: anatomy,
  };
};

/** The timed runs of one configuration, one per worker count. */
async function runSize(
  config: typeof CONFIG,
  o: {
    images: number;
    warm: number;
    workerCounts: number[];
    iterations: number;
    set: Awaited<ReturnType<typeof loadMnistDigits>>;
  },
  log: (message: string) => void,
) {
  const { images, warm, workerCounts, iterations, set } = o;
  const rows = [];
  for (const workers of workerCounts) {
    const raw = await startRawTrunk(config, workers);
    try {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'graft-bench-pipeline-'));
      try {
        const started = performance.now();
        const runtime = await startRuntime({ dataDir, port: 0, workers, log });
        try {
          // Warm-up data set: starts the workers' wasm backends and trunks (reported, not in the timed run).
          await importDataset(runtime.store, 'warmup', digitSamples(set, 0, warm), { config });
          await runtime.extractionIdle();
          const startupMs = performance.now() - started;
          const rawBefore = await raw.imagesPerSec(iterations);
          log(`pipeline: ${config.inputSize} px, ${workers} worker(s), ${images} images …`);
          const t0 = performance.now();
          await importDataset(runtime.store, 'bench', digitSamples(set, warm, images), { config });
          const uploadedMs = performance.now() - t0;
          await runtime.extractionIdle();
          const seconds = (performance.now() - t0) / 1000;
          const rawAfter = await raw.imagesPerSec(iterations);
          let stored = 0;
          for await (const _ of runtime.store.list(raw.featureKeyPrefix)) stored++;
          if (stored < warm + images - runtime.stats.duplicate)
            throw new Error(`only ${stored} of ${warm + images} images have a feature object`);
          const imagesPerSec = images / seconds;
          const rawImagesPerSec = median([rawBefore, rawAfter]);
          rows.push({
            inputSize: config.inputSize,
            workers,
            imagesPerSec: round(imagesPerSec, 2),
            rawImagesPerSec: round(rawImagesPerSec, 2),
            overheadPct: round((rawImagesPerSec / imagesPerSec - 1) * 100, 1),
            uploadSeconds: round(uploadedMs / 1000, 2),
            drainAfterUploadSeconds: round(seconds - uploadedMs / 1000, 2),
            startupSeconds: round(startupMs / 1000, 2),
            raw: { before: round(rawBefore, 2), after: round(rawAfter, 2) },
            features: stored,
            duplicates: runtime.stats.duplicate,
            retried: runtime.stats.retried,
          });
          log(`pipeline: ${JSON.stringify(rows.at(-1))}`);
        } finally {
          await runtime.close();
        }
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    } finally {
      await raw.close();
    }
  }
  return rows;
}
