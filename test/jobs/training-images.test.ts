/**
 * The epochs × training images budget, checked at the API before any record is written: `countTrainingImages`
 * counts a data set's training images in the real embedded S3 exactly as the job does (explicit `train/` uploads
 * and unsplit ones the hash assigns to train, labels `graft.json` allows), stops early, and gives up when counting
 * is not cheap; `POST /v1/trainings` answers 400 `over_budget` with no record written.
 */
import { countTrainingImages } from '@graft/jobs';
import { writeJson } from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStoreApp } from '../../functions/api/src/index.js';
import { indexDataset } from '../../functions/finetune/src/dataset-index.js';
import { bySplit } from '../../functions/finetune/src/splits.js';
import { auth, RecordingRunner, TOKEN } from '../functions/api/fakes.js';
import { startTestS3, type TestS3 } from '../storage/local-s3-fixture.js';

let t: TestS3;

/** A data set: `train` uploads per label in `train/`, as many in `val/` and `test/`, 40 unsplit, one label refused. */
async function dataset(name: string, train: number): Promise<void> {
  await writeJson(t.store, `datasets/${name}/graft.json`, {
    backbone: 'mobilenet_v2',
    inputSize: 96,
    labels: ['cat', 'dog'],
  });
  const keys: string[] = [];
  for (const label of ['cat', 'dog', 'bird']) {
    for (let i = 0; i < train; i++) keys.push(`datasets/${name}/train/${label}/${i}.png`);
    for (const split of ['val', 'test']) keys.push(`datasets/${name}/${split}/${label}/0.png`);
    for (let i = 0; i < 20; i++) keys.push(`datasets/${name}/${label}/u${i}.png`);
  }
  await Promise.all(keys.map((key) => t.store.put(key, new Uint8Array([1]))));
}

beforeAll(async () => {
  t = await startTestS3('budget');
  await dataset('small', 15);
}, 60_000);
afterAll(async () => t?.close());

describe('countTrainingImages', () => {
  it("counts the data set's training images as the job does, and stops past upTo", async () => {
    const job = bySplit((await indexDataset(t.store, 'small')).uploads).train.length;
    // 2 allowed labels × 15 in train/, plus the unsplit ones the hash puts in train (bird is not a label)
    expect(job).toBeGreaterThan(30);
    expect(job).toBeLessThan(30 + 40);
    expect(await countTrainingImages(t.store, 'small', { upTo: 1000 })).toBe(job);
    expect(await countTrainingImages(t.store, 'small', { upTo: 10 })).toBe(11);
  });

  it('gives up when counting is not cheap, and when the data set has no graft.json', async () => {
    expect(await countTrainingImages(t.store, 'small', { upTo: 1000, maxKeys: 50 })).toBeUndefined();
    expect(await countTrainingImages(t.store, 'nothing-here', { upTo: 10 })).toBeUndefined();
  });
});

describe('POST /v1/trainings and the epochs × images budget', () => {
  it('refuses a request over the budget with 400 over_budget before any record is written', async () => {
    const images = await countTrainingImages(t.store, 'small', { upTo: 1000 });
    const runner = new RecordingRunner();
    // The budget set so that 10 epochs over this data set's training images is just over it.
    const app = createStoreApp(t.store, { runner, token: TOKEN, maxEpochImages: 10 * images! - 1 });
    const post = (epochs: number) =>
      app.request('/v1/trainings', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ dataset: 'small', model: 'small', options: { epochs } }),
      });
    const refused = await post(10);
    expect(refused.status).toBe(400);
    const { error } = (await refused.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('over_budget');
    expect(error.message).toMatch(/more than \d+ training images/);
    const records: string[] = [];
    for await (const info of t.store.list('jobs/')) records.push(info.key);
    expect(records).toEqual([]);
    expect(runner.submitted).toEqual([]);
    // One epoch fewer fits: accepted, recorded, submitted.
    const accepted = await post(9);
    expect(accepted.status).toBe(202);
    expect(runner.submitted).toHaveLength(1);
  });
});
