/**
 * Every file of the bad-input corpus uploaded to the embedded S3 and extracted by the real handler in worker
 * threads (real S3 event JSON → LocalQueue → WorkerPool): a feature object for each valid image, a rejects
 * record with the exact code for each bad one, no worker crash, bounded memory while bombs are processed.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runPipelineScenario } from '@graft/bench';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CORPUS = path.join(import.meta.dirname, '../fixtures/bad-inputs');
const manifest = JSON.parse(readFileSync(path.join(CORPUS, 'manifest.json'), 'utf8')) as {
  file: string;
  expect: string;
}[];

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'graft-bad-pipeline-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('bad-input corpus through the extraction pipeline', () => {
  it('each upload ends as a feature object or a rejects record with the manifest code; bombs ×3 keep RSS bounded', async () => {
    const uploads = manifest.map((entry) => ({
      key: `datasets/corpus/train/any/${entry.file}`,
      bytes: new Uint8Array(readFileSync(path.join(CORPUS, entry.file))),
      expect: entry.expect,
    }));
    // The bombs again under other names (same bytes, other keys): three rounds of 2.5-gigapixel headers.
    const bombs = uploads.filter((u) => u.key.includes('bomb'));
    for (const round of [1, 2]) {
      for (const bomb of bombs) uploads.push({ ...bomb, key: bomb.key.replace('/any/', `/round-${round}/`) });
    }
    expect(manifest.length).toBeGreaterThanOrEqual(20);
    const result = await runPipelineScenario({ dir: path.join(root, 'corpus'), uploads, deliverTwice: true });
    console.log(JSON.stringify({ ...result, fates: undefined }));
    expect(result.mismatches).toEqual([]);
    expect(result.lost).toBe(0);
    expect(result.workerRestarts).toBe(0);
    expect(result.deadLettered).toBe(0);
    expect(result.redelivered).toBe(0); // a bad image is a rejects record, never a retry
    expect(result.rejected).toBe(uploads.filter((u) => u.expect !== 'predict').length);
    expect(result.processed).toBe(uploads.filter((u) => u.expect === 'predict').length);
    expect(result.secondDelivery).toEqual({ extracted: 0, featureWrites: 0, rejectWrites: 0 });
    expect(result.rssPeakDeltaMb).toBeLessThan(200);
  }, 90_000);
});
