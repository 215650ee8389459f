/** The soak's fixed-size latency counts: percentiles within 1 % of the exact ones, windows by training cycle. */
import { describe, expect, it } from 'vitest';
import { percentile } from '../../packages/bench/src/benches/bench-stats.js';
import { LatencyHistogram } from '../../packages/bench/src/benches/latency-histogram.js';
import { SoakLatencies } from '../../packages/bench/src/benches/soak.js';

describe('LatencyHistogram', () => {
  it('reads percentiles within 1 % of the exact ones, in fixed memory', () => {
    let state = 11;
    const random = () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state / 2 ** 31;
    };
    const values = Array.from({ length: 20_000 }, () => 2 + 400 * random() ** 4);
    const h = new LatencyHistogram();
    for (const v of values) h.record(v);
    expect(h.count).toBe(20_000);
    for (const p of [50, 90, 99, 99.9]) {
      const exact = percentile(values, p);
      expect(Math.abs(h.percentile(p) - exact) / exact).toBeLessThan(0.01);
    }
    expect(new LatencyHistogram().percentile(99)).toBeNaN();
  });

  it('compares the first and the last full training cycle when there are two or more', () => {
    const soak = new SoakLatencies(10 * 60_000, 120_000);
    // Cycle 0 (warm-up, before the first training) is slow and must not count as the first window.
    for (let at = 0; at < 10 * 60_000; at += 100)
      soak.record(at, at < 120_000 ? 500 : at < 240_000 ? 20 : 40);
    const r = soak.result();
    expect(r.alignedToTrainings).toBe(true);
    expect(r.p99ByCycleMs).toHaveLength(4);
    expect(r.p99FirstMs).toBeCloseTo(20, 0);
    expect(r.p99LastMs).toBeCloseTo(40, 0);
    expect(r.predictions).toBe(6000);
    const short = new SoakLatencies(60_000, 120_000).result();
    expect(short.alignedToTrainings).toBe(false);
  });
});
