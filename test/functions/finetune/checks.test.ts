/**
 * What a job checks before a model may serve, over the real stack (MNIST PNGs in the embedded S3, the real
 * MobileNetV2 on WASM, the real registry): `auto` races its candidates on the validation split, a model that did
 * not learn is never published, a worse version is published but does not serve, options that do not fit a
 * strategy are refused, and feature extraction honours its cut.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type DatasetSample, encodeGrayPng, importDataset, loadMnistDigits } from '@graft/datasets';
import { createExtractDeps, processObject } from '@graft/extraction';
import { JobStore, type TrainingResult, type TrainingSpec } from '@graft/jobs';
import { initBackend, tf } from '@graft/runtime';
import { type LocalS3, ModelRegistry, S3BlobStore, startLocalS3 } from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../../functions/finetune/src/index.js';

const CONFIG = { backbone: 'mobilenet_v2', inputSize: 96, cut: 'block_13_expand_relu' };
const DIGITS = [0, 1, 4, 7];
const TRAIN = 20;
const VAL = 10;
const TEST = 5;

let dir: string;
let s3: LocalS3;
let store: S3BlobStore;
let jobs: JobStore;
let registry: ModelRegistry;

type Split = 'train' | 'val' | 'test';

/**
 * Imports the digits as data set `name`, relabelling training images with `trainLabel` (`null` leaves one out),
 * and extracts them.
 */
async function importDigits(
  name: string,
  trainLabel: (digit: number, n: number) => number | null = (d) => d,
) {
  const set = await loadMnistDigits({ perClass: TRAIN + VAL + TEST, digits: DIGITS });
  const seen = new Map<number, number>();
  const samples: (DatasetSample & { split: Split })[] = set.images.flatMap((pixels, i) => {
    const digit = set.labels[i]!;
    const n = seen.get(digit) ?? 0;
    seen.set(digit, n + 1);
    const split: Split = n < TRAIN ? 'train' : n < TRAIN + VAL ? 'val' : 'test';
    const label = split === 'train' ? trainLabel(digit, n) : digit;
    if (label === null) return [];
    return [{ label: String(label), name: `${digit}-${n}.png`, split, bytes: encodeGrayPng(pixels, 28, 28) }];
  });
  await importDataset(store, name, samples, { config: CONFIG });
  const deps = createExtractDeps(store);
  for (const s of samples) await processObject(`datasets/${name}/${s.split}/${s.label}/${s.name}`, deps);
  await deps.extractors.dispose?.();
}

async function run(spec: TrainingSpec) {
  const id = await jobs.create(spec);
  await runJob(id, { store });
  return jobs.get<TrainingSpec, TrainingResult>(id);
}

beforeAll(async () => {
  await initBackend();
  dir = await mkdtemp(path.join(tmpdir(), 'graft-checks-'));
  s3 = await startLocalS3({ dir, bucket: 'graft-checks' });
  store = new S3BlobStore(s3.client, s3.bucket);
  jobs = new JobStore(store);
  registry = new ModelRegistry(store);
  await importDigits('digits');
});

afterAll(async () => {
  await s3?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('what a job checks before a model serves', () => {
  it('auto races its candidates on the validation split, keeps the best and explains the race', async () => {
    const before = tf.memory().numTensors;
    // A budget too small for fine-tuning MobileNetV2 on 80 images: it is estimated, then left out.
    const job = await run({
      dataset: 'digits',
      model: 'race',
      strategy: 'auto',
      options: { budgetSeconds: 3 },
    });
    expect(job.error).toBeUndefined();
    const result = job.result!;
    const candidates = result.candidates!;
    expect(result.scenario).toBe(2);
    const fineTune = candidates.find((c) => c.strategy === 'fine-tune');
    expect(fineTune?.skipped).toMatch(
      /^estimated \d+ s \(\d+ ms per image per training step × 80 images × 10 epochs\)/,
    );
    expect(fineTune?.estimatedSeconds).toBeGreaterThan(3);
    expect(candidates.length).toBeGreaterThanOrEqual(3);
    expect(candidates.map((c) => c.name)).toEqual(
      expect.arrayContaining(['feature extraction', 'pooled head at block_13_expand_relu']),
    );
    expect(candidates.filter((c) => c.chosen)).toHaveLength(1);
    expect(candidates.filter((c) => c.advised)).toHaveLength(1);
    const scores = candidates.flatMap((c) => (c.valAccuracy === undefined ? [] : [c.valAccuracy]));
    expect(candidates[0]!.chosen).toBe(true);
    expect(candidates[0]!.valAccuracy).toBe(Math.max(...scores));
    expect(result.explanation).toMatch(/Checked \d+ candidates? on the validation split \(40 images\)/);
    // 40 validation images are too few to rank the cheap heads on: they were cross-validated over the 120
    // training and validation images, and only the best of them went on to the validation split.
    expect(result.explanation).toMatch(
      /cross-validated over 5 folds of the 120 training and validation images/,
    );
    const cheap = candidates.filter((c) => c.strategy !== 'fine-tune');
    expect(cheap.every((c) => c.crossValidation?.folds === 5 && c.crossValidation.images === 120)).toBe(true);
    const onValidation = cheap.filter((c) => c.valAccuracy !== undefined);
    expect(onValidation).toHaveLength(1);
    expect(onValidation[0]!.crossValidation!.accuracy).toBe(
      Math.max(...cheap.map((c) => c.crossValidation!.accuracy)),
    );
    for (const c of cheap.filter((c) => c.valAccuracy === undefined))
      expect(c.skipped).toMatch(/^cross-validated 0\.\d{3}, below /);
    expect(result.validation).toMatchObject({ images: 40, chance: 0.25, judged: true, passed: true });
    expect(result.promoted).toBe(true);
    expect(result.promotion.reason).toBe('first_version');
    expect(result.backbone).toBe('mobilenet_v2');
    expect(result.metrics.accuracy).toBeGreaterThan(0.6);
    const report = JSON.parse(
      new TextDecoder().decode(await registry.readFile('race', result.version, 'report.json')),
    );
    expect(report.candidates).toEqual(candidates);
    expect(report.backboneProvenance).toEqual({ kind: 'bundled' });
    expect((await registry.getCurrent('race'))?.version).toBe(result.version);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('auto serves the model its winner trains as an explicit job, and races feature extraction as the explicit job', async () => {
    // Every cheap candidate raced on the validation split (not cross-validated), so each has a validation score.
    const auto = await run({
      dataset: 'digits',
      model: 'same-auto',
      strategy: 'auto',
      options: { budgetSeconds: 3, crossValidate: false },
    });
    expect(auto.error).toBeUndefined();
    const candidates = auto.result!.candidates!;
    const winner = candidates.find((c) => c.chosen)!;
    const explicit = (c: (typeof candidates)[number]): TrainingSpec =>
      c.strategy === 'freeze-k'
        ? {
            dataset: 'digits',
            model: 'same-explicit',
            strategy: 'freeze-k',
            options: { cut: c.cut, upper: c.upper, ...(c.grid ? { head: { grid: c.grid } } : {}) },
          }
        : { dataset: 'digits', model: 'same-explicit', strategy: c.strategy as TrainingSpec['strategy'] };
    const asked = await run(explicit(winner));
    expect(asked.error).toBeUndefined();
    const predictions = async (model: string, version: number) =>
      JSON.parse(new TextDecoder().decode(await registry.readFile(model, version, 'report.json')))
        .testPredictions;
    expect(asked.result!.metrics.accuracy).toBe(auto.result!.metrics.accuracy);
    expect(await predictions('same-explicit', asked.result!.version)).toEqual(
      await predictions('same-auto', auto.result!.version),
    );
    // Feature extraction's head has dropout: its race entry scores what the explicit job scores.
    const features = await run({ dataset: 'digits', model: 'same-features', strategy: 'feature-extraction' });
    const raced = candidates.find((c) => c.name === 'feature extraction')!;
    expect(features.result!.validation.accuracy).toBeCloseTo(raced.valAccuracy!, 4);
  });

  it('never publishes a model that did not learn (no_learning), and says why', async () => {
    // Every training label is assigned at random: nothing in the images predicts it.
    let state = 7;
    await importDigits('noise', () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return DIGITS[state % DIGITS.length]!;
    });
    const job = await run({ dataset: 'noise', model: 'noise', strategy: 'feature-extraction' });
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('no_learning');
    expect(job.error?.message).toMatch(
      /not clearly above chance \(0\.25; needs > 0\.38\d*\); nothing was published/,
    );
    expect(await registry.listVersions('noise')).toEqual([]);
    expect(await registry.getCurrent('noise')).toBeUndefined();
  });

  it('publishes a worse version without making it serve, unless promote is always', async () => {
    const replace = { strategy: 'freeze-k', options: { upper: 'replace' } } as const;
    const good = await run({ dataset: 'digits', model: 'pets', ...replace });
    expect(good.result?.promoted).toBe(true);
    // Same labels and validation images, but two training images per digit instead of twenty: it learns, less well.
    await importDigits('few', (d, n) => (n < 2 ? d : null));
    const worse = await run({ dataset: 'few', model: 'pets', ...replace });
    expect(worse.error).toBeUndefined();
    const r = worse.result!;
    expect(r.validation.passed).toBe(true);
    expect(r.promoted).toBe(false);
    expect(r.promotion.reason).toBe('not_better');
    expect(r.promotion.serving?.version).toBe(good.result!.version);
    expect(r.promotion.serving!.valAccuracy!).toBeGreaterThan(r.validation.accuracy);
    expect(r.promotion.message).toMatch(/published but not promoted/);
    expect(await registry.listVersions('pets')).toContain(r.version);
    expect((await registry.getCurrent('pets'))?.version).toBe(good.result!.version);

    const forced = await run({ dataset: 'few', model: 'pets', ...replace, promote: 'always' });
    expect(forced.error).toBeUndefined();
    expect(forced.result?.promoted).toBe(true);
    expect(forced.result?.promotion.reason).toBe('always');
    expect((await registry.getCurrent('pets'))?.version).toBe(forced.result!.version);
  });

  it("auto with no validation images to race on trains the advisor's pick alone and says so", async () => {
    const set = await loadMnistDigits({ perClass: 4, digits: DIGITS });
    const samples = set.images.map((pixels, i) => ({
      label: String(set.labels[i]),
      name: `tiny-${i}.png`,
      split: 'train' as const,
      bytes: encodeGrayPng(pixels, 28, 28),
    }));
    await importDataset(store, 'tiny', samples, { config: CONFIG });
    const deps = createExtractDeps(store);
    for (const s of samples) await processObject(`datasets/tiny/train/${s.label}/${s.name}`, deps);
    await deps.extractors.dispose?.();
    const job = await run({ dataset: 'tiny', model: 'tiny', strategy: 'auto' });
    expect(job.error).toBeUndefined();
    expect(job.result?.candidates).toHaveLength(1);
    expect(job.result?.candidates?.[0]).toMatchObject({ advised: true, chosen: true });
    expect(job.result?.candidates?.[0]?.valAccuracy).toBeUndefined();
    expect(job.result?.explanation).toMatch(/No validation images to check it on/);
    expect(job.result?.validation).toMatchObject({ images: 0, judged: false, passed: true });
  });

  it('refuses options that do not fit the strategy, and feature extraction honours its cut', async () => {
    const refused = await run({
      dataset: 'digits',
      model: 'refused',
      strategy: 'scratch',
      options: { cut: 'block_13_expand_relu' },
    });
    expect(refused.error?.code).toBe('invalid_options');
    expect(refused.error?.message).toMatch(/options\.cut does not apply to scratch/);

    const cut = await run({
      dataset: 'digits',
      model: 'cut',
      strategy: 'feature-extraction',
      options: { cut: 'block_16_project_BN' },
    });
    expect(cut.error).toBeUndefined();
    expect(cut.result).toMatchObject({ strategy: 'feature-extraction', cut: 'block_16_project_BN' });
  });
});
