/**
 * `graft bench soak`, quick: the local stack under mixed load (c=8 predictions, report pages, a training that
 * publishes a new version mid-run) for a quarter of a minute — nothing fails and the API's tensor count is flat
 * across the model swap. The long runs' figures are in BENCHMARKS.md.
 */
import { benches } from '@graft/bench';
import { describe, expect, it } from 'vitest';

describe('graft bench soak (quick)', () => {
  it('answers every request while a training publishes a new version, and ends with the tensor count it started with', async () => {
    const { run } = await benches.soak();
    const r = await run({ minutes: '0.25', 'train-every': '5', 'per-class': '6' }, () => {});
    expect(r).toMatchObject({ failed: 0, warmupFailures: 0, trainingsFailed: 0 });
    // A training starts every 5 s; how many fit in 15 s depends on how fast the first one publishes.
    expect(r.trainings).toBeGreaterThanOrEqual(1);
    // p99 first / last compare the first and the last full training cycle (5–10 s, 10–15 s).
    expect(r.p99Windows).toBe('training cycles');
    expect(r.p99ByCycleMs).toHaveLength(2);
    expect(r.requests).toBeGreaterThan(20);
    expect(r.predictions).toBeGreaterThan(10);
    expect(r.tensorsEnd).toBe(r.tensorsStart);
    expect(r.p99FirstMs).toBeGreaterThan(0);
    expect(r.p99LastMs).toBeGreaterThan(0);
    expect(r.rssEndMb).toBeGreaterThan(0);
  }, 300_000);
});
