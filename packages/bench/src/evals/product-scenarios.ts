import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BackboneRegistry, sourceFromModelVersion } from '@graft/backbones';
import { intFlag } from '@graft/cli';
import { type DatasetSample, importDataset } from '@graft/datasets';
import { JobStore, type RaceEntry, type TrainingResult, type TrainingSpec } from '@graft/jobs';
import { initBackend } from '@graft/runtime';
import { type BlobStore, S3BlobStore, startLocalS3 } from '@graft/storage';
import type { BenchRun } from '../benches/types.js';
import { graySample, importAndExtract, sampledUploads, trainingJob } from './shared/job-path.js';
import { digitsTarget, fashionClasses, fashionTarget, type TargetPool } from './shared/scenario-data.js';
import { meanSd, round } from './shared/stats.js';

/** The explicit strategies each cell compares `auto` with (on the developed source CNN). */
const STRATEGIES: Record<string, Omit<TrainingSpec, 'dataset' | 'model'>> = {
  'feature-extraction': { strategy: 'feature-extraction' },
  'freeze-k conv1': { strategy: 'freeze-k', options: { cut: 'conv1_relu', upper: 'retrain' } },
  'fine-tune': { strategy: 'fine-tune' },
  scratch: { strategy: 'scratch' },
};

const VAL_PER_CLASS = 15;

/**
 * `graft eval product-scenarios`: the four scenarios through the product path, as a user would run them. A source
 * CNN is developed as a job on Fashion-MNIST classes 0–4 (`--source-train` per class, `--source-epochs`), registered
 * as a backbone from its published version (with its source statistics), then each cell — small (`--small`) or
 * large (`--large` per class) × similar (Fashion classes 5–9) or different (MNIST digits 5–9) — is imported on that
 * backbone, extracted by the extract code, and trained as jobs: `auto` and every explicit strategy, `--seeds`
 * samples each (sample s trains with seed s); fine-tune, scratch and freeze-k train at most `--epochs` epochs, `auto`'s expensive candidate at most
 * `--budget-seconds`. A cell passes when the model `auto` serves is within one sd of the best.
 *
 * @example
 * ```ts
 * const result = await run({ small: '10', large: '40', seeds: '1', epochs: '2', 'source-train': '200' }, console.log);
 * ```
 */
export const run: BenchRun = async (flags, log) => {
  await initBackend();
  const o = {
    seeds: intFlag(flags, 'seeds', 2),
    small: intFlag(flags, 'small', 20),
    large: intFlag(flags, 'large', 500),
    sourceTrain: intFlag(flags, 'source-train', 2000),
    sourceEpochs: intFlag(flags, 'source-epochs', 4),
    epochs: intFlag(flags, 'epochs', 4),
    test: intFlag(flags, 'test', 100),
    budgetSeconds: intFlag(flags, 'budget-seconds', 120),
  };
  const dir = await mkdtemp(path.join(tmpdir(), 'graft-product-scenarios-'));
  const s3 = await startLocalS3({ dir, bucket: 'scenarios' });
  const store = new S3BlobStore(s3.client, s3.bucket);
  const jobs = new JobStore(store);
  const job = (spec: TrainingSpec) => trainingJob(jobs, store, spec);
  try {
    // 1. Develop the source as a job and register it.
    const src = await fashionClasses([0, 1, 2, 3, 4], 'train', o.sourceTrain + VAL_PER_CLASS);
    const srcSamples = labelled(src, (_label, k) => (k < o.sourceTrain ? 'train' : 'val'), 'src');
    await importDataset(store, 'source', srcSamples, {
      config: { backbone: 'mobilenet_v2', inputSize: 96, cut: 'block_13_expand_relu' },
    });
    log(
      `developing the source CNN on ${o.sourceTrain * 5} Fashion-MNIST images of classes 0–4 (a develop job)`,
    );
    const developed = await job({
      dataset: 'source',
      model: 'source',
      strategy: 'develop',
      options: { epochs: o.sourceEpochs },
    });
    if (!developed.result) throw new Error(`the develop job failed: ${JSON.stringify(developed.error)}`);
    const registry = new BackboneRegistry(store);
    const { manifest } = await registry.add({
      id: 'fashion-src',
      ...(await sourceFromModelVersion(store, 'source')),
    });
    log(
      `  source validation accuracy ${developed.result.validation.accuracy}; registered 'fashion-src' (cut ${manifest.defaultCut})`,
    );

    // 2. The four cells, each imported on the registered backbone and trained as jobs.
    const targets = {
      similar: await fashionTarget(o.large, o.test),
      different: await digitsTarget(o.large, o.test),
    };
    const cells: Record<string, unknown>[] = [];
    for (const size of ['small', 'large'] as const)
      for (const similarity of ['similar', 'different'] as const) {
        cells.push(
          await measureCell({
            store,
            job,
            target: targets[similarity],
            size,
            similarity,
            perClass: o[size],
            o,
            log,
          }),
        );
      }
    const passed = cells.filter((c) => c.autoWithinOneSd).length;
    return {
      source: {
        data: 'Fashion-MNIST classes 0–4',
        perClass: o.sourceTrain,
        validationAccuracy: developed.result.validation.accuracy,
        backbone: manifest.id,
        defaultCut: manifest.defaultCut,
        hasSourceStats: manifest.sourceStats !== undefined,
      },
      settings: o,
      cells,
      autoWithinOneSd: passed,
      target: 'the model auto serves is within one sd of the best strategy in 4 of 4 cells',
    };
  } finally {
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  }
};

async function measureCell(a: {
  store: BlobStore;
  job: (spec: TrainingSpec) => Promise<{ result?: TrainingResult; error?: { code: string } }>;
  target: TargetPool;
  size: 'small' | 'large';
  similarity: 'similar' | 'different';
  perClass: number;
  o: { seeds: number; epochs: number; budgetSeconds: number };
  log: (m: string) => void;
}) {
  const names = ['auto', ...Object.keys(STRATEGIES)];
  const accs: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const picks: string[] = [];
  const races: RaceEntry[][] = [];
  const scenarios: (number | undefined)[] = [];
  const failures: { dataset: string; strategy: string; code: string }[] = [];
  const scores: number[] = [];
  for (let seed = 1; seed <= a.o.seeds; seed++) {
    const dataset = `${a.size}-${a.similarity}-s${seed}`;
    const samples = sampledUploads({
      pool: a.target,
      test: { images: a.target.testImages, labels: a.target.testLabels },
      perClass: a.perClass,
      valPerClass: VAL_PER_CLASS,
      seed,
    });
    await importAndExtract(a.store, dataset, samples, {
      backbone: 'fashion-src',
      inputSize: 28,
      cut: 'conv1_relu',
    });
    for (const name of names) {
      // Conv-training strategies get at most `--epochs`; auto's expensive candidate the same time through its budget.
      // Each sample trains with its own seed: a large cell samples the same images every time (its pool holds no
      // more), so only the training's randomness (initialisation, shuffles, dropout masks) tells its samples apart.
      const spec = name === 'auto' ? { strategy: 'auto' as const } : STRATEGIES[name]!;
      const options =
        name === 'auto'
          ? { budgetSeconds: a.o.budgetSeconds, seed }
          : name === 'feature-extraction'
            ? { ...spec.options, seed }
            : { ...spec.options, epochs: a.o.epochs, seed };
      const done = await a.job({
        dataset,
        model: `${dataset}-${name.replace(/[^A-Za-z0-9._-]/g, '-')}`,
        ...spec,
        options,
      });
      // A job that refused to publish (no_learning) scores chance; any other failure is recorded as such.
      accs[name]!.push(done.result?.metrics.accuracy ?? 0.2);
      if (!done.result) failures.push({ dataset, strategy: name, code: done.error?.code ?? 'unknown' });
      if (name === 'auto' && done.result) {
        picks.push(done.result.candidates?.find((c) => c.chosen)?.name ?? done.result.strategy);
        races.push(done.result.candidates ?? []);
        scenarios.push(done.result.scenario);
        scores.push(Number(/similarity score ([\d.]+)/.exec(done.result.explanation)?.[1]));
      }
      a.log(
        `${dataset} ${name}: ${done.result?.metrics.accuracy.toFixed(3) ?? `failed (${done.error?.code})`}`,
      );
    }
  }
  const stats = Object.fromEntries(
    names.map((n) => {
      const { mean, sd } = meanSd(accs[n]!);
      return [n, { mean: round(mean), sd: round(sd), runs: accs[n]!.map((x) => round(x)) }];
    }),
  );
  const best = names.reduce((x, y) => (stats[y]!.mean > stats[x]!.mean ? y : x));
  const auto = stats.auto!;
  const autoWithinOneSd = stats[best]!.mean - auto.mean <= Math.max(stats[best]!.sd, auto.sd);
  a.log(
    `${a.size} × ${a.similarity}: best ${best} ${stats[best]!.mean}; auto ${auto.mean} (${picks.join(', ')}) → ${autoWithinOneSd}`,
  );
  return {
    size: a.size,
    similarity: a.similarity,
    perClass: a.perClass,
    best,
    autoWithinOneSd,
    autoPicks: picks,
    autoRaces: races,
    autoScenarios: scenarios,
    similarityScores: scores,
    failures,
    strategies: stats,
  };
}

function labelled(
  set: { images: Uint8Array[]; labels: number[] },
  split: (label: number, k: number) => 'train' | 'val',
  prefix: string,
): DatasetSample[] {
  const seen = new Map<number, number>();
  return set.images.map((img, i) => {
    const label = set.labels[i]!;
    const k = seen.get(label) ?? 0;
    seen.set(label, k + 1);
    return graySample(img, label, `${prefix}${i}`, split(label, k));
  });
}
