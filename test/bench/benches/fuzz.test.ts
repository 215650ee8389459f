import { benches } from '@graft/bench';
import { describe, expect, it } from 'vitest';

const { run } = await benches.fuzz();

// Quick variant of `graft bench fuzz`: 1,500 cases with seed 7. Before a failed JPEG decode retired its WASM
// instance, this very run hung at its 686th decode (libjpeg's unwound errors had corrupted the instance).
describe('bench fuzz (quick variant)', () => {
  it('1,500 seeded cases: every answer a 200 or a typed 4xx, no crash, no 5xx, no leaked tensor', async () => {
    const r = await run({ cases: '1500', seed: '7', 'case-timeout-ms': '20000' }, () => {});
    expect(r.examples).toEqual([]);
    expect([r.crashes, r.serverErrors, r.untyped]).toEqual([0, 0, 0]);
    expect(r.cases).toBe(1500);
    const byTarget = r.byTarget as Record<string, number>;
    for (const target of ['decode', 'predict', 'json']) expect(byTarget[target]).toBeGreaterThan(300);
    const byOutcome = r.byOutcome as Record<string, number>;
    expect(byOutcome.ok).toBeGreaterThan(0);
    expect(byOutcome.typed).toBeGreaterThan(0);
    expect(r.tensorsEnd).toBe(r.tensorsStart);
    expect(r.maxRssMb as number).toBeLessThan(1024);
  }, 300_000);
});
