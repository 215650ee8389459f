/**
 * The extraction pipeline (embedded S3 events → LocalQueue → WorkerPool of real extract handlers) with every S3
 * call of the workers going through the fault proxy: nothing is lost, nothing is done twice.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runPipelineScenario, syntheticUploads } from '@graft/bench';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'graft-pipeline-faults-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('extraction pipeline under S3 faults', () => {
  it('500/503/resets/slow answers at 15%, every event delivered twice: one feature or one rejects record per upload, no extra work', async () => {
    const uploads = await syntheticUploads(25, { seed: 11 });
    const result = await runPipelineScenario({
      dir: path.join(root, 'faults'),
      uploads,
      faultRate: 0.15,
      seed: 5,
      deliverTwice: true,
    });
    console.log(JSON.stringify({ ...result, fates: undefined }));
    expect(result.injectedFaults).toBeGreaterThan(10);
    for (const kind of ['error500', 'error503', 'reset', 'slow'] as const)
      expect(result.injected[kind]).toBeGreaterThan(0);
    expect(result.redelivered).toBeGreaterThan(0); // faults reached the handler and were retried
    expect(result.mismatches).toEqual([]);
    expect(result.lost).toBe(0);
    expect(result.deadLettered).toBe(0);
    const valid = uploads.filter((u) => u.expect === 'predict').length;
    expect(result.rejected).toBe(uploads.length - valid);
    expect(result.processed).toBe(valid);
    // no image was reported extracted twice, however often its event came
    expect(result.extractedOutcomes).toBeLessThanOrEqual(valid);
    expect(result.extractedOutcomes).toBeGreaterThanOrEqual(valid - result.injected.reset);
    expect(result.secondDelivery).toEqual({ extracted: 0, featureWrites: 0, rejectWrites: 0 });
    expect(result.duplicatesIgnored).toBeGreaterThanOrEqual(valid);
    expect(result.workerRestarts).toBe(0);
    // a feature is written again only when the answer to its first write was lost (a reset after the work)
    expect(result.featureWrites).toBeGreaterThanOrEqual(valid);
    expect(result.featureWrites).toBeLessThanOrEqual(valid + result.injected.reset);
  }, 90_000);

  it('a worker thread terminated mid-batch loses nothing: its batch is redelivered', async () => {
    const uploads = await syntheticUploads(20, { seed: 12 });
    const result = await runPipelineScenario({
      dir: path.join(root, 'kill'),
      uploads,
      killWorkerAfterMs: 40,
    });
    console.log(JSON.stringify({ ...result, fates: undefined }));
    expect(result.workerRestarts).toBe(1);
    expect(result.crashedBatches).toBe(1);
    expect(result.crashedMessages).toBeGreaterThanOrEqual(5);
    expect(result.redelivered).toBeGreaterThanOrEqual(result.crashedMessages);
    expect(result.mismatches).toEqual([]);
    expect(result.lost).toBe(0);
    const valid = uploads.filter((u) => u.expect === 'predict').length;
    expect(result.processed).toBe(valid);
    expect(result.featureWrites).toBeLessThanOrEqual(valid + result.crashedMessages);
  }, 90_000);
});
