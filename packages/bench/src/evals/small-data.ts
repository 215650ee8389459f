import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { intFlag, UsageError } from '@graft/cli';
import { JobStore, type TrainingSpec } from '@graft/jobs';
import { initBackend } from '@graft/runtime';
import { S3BlobStore, startLocalS3 } from '@graft/storage';
import type { BenchRun } from '../benches/types.js';
import { importAndExtract, sampledUploads, trainingJob } from './shared/job-path.js';
import { digitsTarget, fashionClasses } from './shared/scenario-data.js';
import { meanSd, round } from './shared/stats.js';

/** What each row compares: `auto` and every explicit strategy (`pooled` = a new head on the stored cut: the baseline). */
export const SMALL_DATA_STRATEGIES: Record<string, Omit<TrainingSpec, 'dataset' | 'model'>> = {
  auto: { strategy: 'auto' },
  'feature-extraction': { strategy: 'feature-extraction' },
  pooled: { strategy: 'freeze-k', options: { upper: 'replace' } },
  'freeze-k': { strategy: 'freeze-k', options: { upper: 'retrain', cut: 'block_16_project_BN' } },
  'fine-tune': { strategy: 'fine-tune' },
  scratch: { strategy: 'scratch' },
};

/**
 * The columns by default: every strategy that finishes in about a minute per job on two cores. fine-tune and scratch
 * train MobileNetV2 from images (10–15 minutes per job at 50 images per class): ask for them with `--strategies`.
 */
export const DEFAULT_STRATEGIES = ['auto', 'feature-extraction', 'pooled', 'freeze-k'];

const CONFIG = { backbone: 'mobilenet_v2', inputSize: 96, cut: 'block_13_expand_relu' } as const;

/**
 * `graft eval small-data`: small labelled data sets through the product's own job path (PNG uploads in the embedded
 * S3, the fan-out's extraction code, `runJob`), `auto` against every explicit strategy. Rows: 10 classes of
 * Fashion-MNIST and of MNIST digits, at `--sizes` images per class (default 20,50), 15 validation and `--test` (30)
 * test images per class, `--seeds` (3) samples each. A row passes when `auto`'s mean test accuracy is within one
 * standard deviation of the best strategy's and not below the pooled-head baseline's. `--strategies a,b` picks the
 * columns (default {@link DEFAULT_STRATEGIES}; `fine-tune` and `scratch` take minutes per job on two cores);
 * `--budget-seconds N` sets `auto`'s budget for expensive candidates (default: the product's).
 *
 * @example
 * ```ts
 * const result = await run({ sizes: '20', seeds: '1', strategies: 'auto,pooled' }, console.log);
 * ```
 */
export const run: BenchRun = async (flags, log) => {
  await initBackend();
  const sizes = String(flags.sizes ?? '20,50')
    .split(',')
    .map(Number);
  const seeds = intFlag(flags, 'seeds', 3);
  const testPerClass = intFlag(flags, 'test', 30);
  const valPerClass = 15;
  // What auto's expensive candidates may take: the product's default unless asked (the quick variant asks for less).
  const budgetSeconds =
    flags['budget-seconds'] === undefined ? undefined : intFlag(flags, 'budget-seconds', 0);
  const names = String(flags.strategies ?? DEFAULT_STRATEGIES.join(',')).split(',');
  for (const n of names)
    if (!(n in SMALL_DATA_STRATEGIES))
      throw new UsageError(
        `unknown strategy '${n}' (one of ${Object.keys(SMALL_DATA_STRATEGIES).join(', ')})`,
      );
  if (sizes.some((s) => !Number.isInteger(s) || s < 2)) throw new UsageError('--sizes expects integers ≥ 2');
  const sources = {
    fashion: async () => {
      const pool = await fashionClasses([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'train', 400);
      const test = await fashionClasses([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'test', testPerClass);
      return { pool, test };
    },
    mnist: async () => {
      const all = await digitsTarget(400, testPerClass, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      return {
        pool: { images: all.images, labels: all.labels },
        test: { images: all.testImages, labels: all.testLabels },
      };
    },
  };
  const dir = await mkdtemp(path.join(tmpdir(), 'graft-small-data-'));
  const s3 = await startLocalS3({ dir, bucket: 'small-data' });
  const store = new S3BlobStore(s3.client, s3.bucket);
  const jobs = new JobStore(store);
  const rows: Record<string, unknown>[] = [];
  try {
    for (const [sourceName, load] of Object.entries(sources)) {
      const { pool, test } = await load();
      const classes = [...new Set(pool.labels)].length;
      for (const size of sizes) {
        const accuracies: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
        const seconds: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
        const failures: { dataset: string; strategy: string; code: string }[] = [];
        for (let seed = 1; seed <= seeds; seed++) {
          const dataset = `${sourceName}-${size}-s${seed}`;
          const samples = sampledUploads({ pool, test, perClass: size, valPerClass, seed });
          await importAndExtract(store, dataset, samples, CONFIG);
          for (const name of names) {
            const started = performance.now();
            const job = await trainingJob(jobs, store, {
              dataset,
              model: `${dataset}-${name}`,
              ...SMALL_DATA_STRATEGIES[name]!,
              ...(name === 'auto' && budgetSeconds !== undefined ? { options: { budgetSeconds } } : {}),
            });
            const acc = job.result?.metrics.accuracy ?? 1 / classes; // a job that refused to publish scored chance
            accuracies[name]!.push(acc);
            if (!job.result) failures.push({ dataset, strategy: name, code: job.error?.code ?? 'unknown' });
            seconds[name]!.push((performance.now() - started) / 1000);
            log(
              `${dataset} ${name}: ${job.status} ${acc.toFixed(3)}${job.error ? ` (${job.error.code})` : ''}${job.result?.candidates ? ` chose ${job.result.candidates[0]?.name}` : ''}`,
            );
          }
        }
        const stats = Object.fromEntries(
          names.map((n) => {
            const { mean, sd } = meanSd(accuracies[n]!);
            return [
              n,
              {
                mean: round(mean),
                sd: round(sd),
                runs: accuracies[n]!.map((a) => round(a)),
                seconds: round(meanSd(seconds[n]!).mean, 1),
              },
            ];
          }),
        );
        const best = names.reduce((a, b) => (stats[b]!.mean > stats[a]!.mean ? b : a));
        const auto = stats.auto;
        const pooled = stats.pooled;
        const withinBest = auto
          ? auto.mean >= stats[best]!.mean - Math.max(stats[best]!.sd, auto.sd)
          : undefined;
        const aboveBaseline =
          auto && pooled ? auto.mean >= pooled.mean - Math.max(pooled.sd, auto.sd) : undefined;
        rows.push({
          source: sourceName,
          perClass: size,
          seeds,
          best,
          autoWithinOneSdOfBest: withinBest,
          autoNotBelowPooled: aboveBaseline,
          failures,
          strategies: stats,
        });
        log(
          `${sourceName} ${size}/class: best ${best} ${stats[best]!.mean}; auto ${auto?.mean} → within one sd: ${withinBest}`,
        );
      }
    }
  } finally {
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  }
  const passed = rows.filter((r) => r.autoWithinOneSdOfBest && r.autoNotBelowPooled !== false).length;
  return {
    rows,
    passedRows: passed,
    totalRows: rows.length,
    target: 'auto within one sd of the best strategy in every row, never below the pooled-head baseline',
  };
};
