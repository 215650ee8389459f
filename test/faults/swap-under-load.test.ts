/**
 * Continuous prediction requests against the real API over a real socket while versions are published: a good
 * one, a truncated weights.bin, a model.json cut in half, a good one again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runSwapScenario } from '@graft/bench';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'graft-swap-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('model swap under load', () => {
  it('zero failed requests; answers move to each good version within the refresh interval; broken ones are refused and on /ready', async () => {
    const refreshMs = 250;
    const result = await runSwapScenario({ dir: root, concurrency: 8, refreshMs });
    console.log(JSON.stringify(result));
    expect(result.requests).toBeGreaterThan(200);
    expect(result.failedRequestsDuringSwap).toBe(0);
    expect(result.statuses).toEqual({ 200: result.requests });
    expect(result.brokenAnswers).toBe(0);
    expect(Object.keys(result.versions).sort()).toEqual(['1', '2', '5']);
    // A refresh is due at most refreshMs after publishing; reading + loading + warming the tiny model takes
    // ~0.2 s on an idle machine but several seconds on a loaded shared one (load average 14 on 2 cores measured).
    for (const ms of result.swapMs) expect(ms).toBeLessThan(refreshMs + 15_000);
    // once the new version answers, the old one stops answering right after (requests already leased finish)
    for (const [i, ms] of result.lastOldAnswerMs.entries())
      expect(ms).toBeLessThanOrEqual(result.swapMs[i]! + 2000);
    expect(result.brokenWeights).toMatchObject({ status: 200, version: 2, lastError: { version: 3 } });
    expect(result.brokenModelJson).toMatchObject({ status: 200, version: 2, lastError: { version: 4 } });
    expect(result.brokenModelJson.lastError?.message).toMatch(/JSON|Unexpected|unterminated|end of/i);
  }, 90_000);
});
