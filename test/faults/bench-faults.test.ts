/**
 * The quick variant of `graft bench faults`: tiny sizes, the same scenarios, the same invariants.
 */

import { benches } from '@graft/bench';
import { describe, expect, it } from 'vitest';

const { run } = await benches.faults();

describe('graft bench faults (quick)', () => {
  it('loses nothing and fails no request during the swap', async () => {
    const lines: string[] = [];
    const result = await run({ images: '10', 'fault-rate': '0.1', 'swap-concurrency': '3' }, (m) =>
      lines.push(m),
    );
    console.log(JSON.stringify(result));
    expect(result).toMatchObject({
      images: 10,
      lost: 0,
      mismatches: 0,
      failedRequestsDuringSwap: 0,
      brokenAnswers: 0,
    });
    expect(result.processed as number).toBe(8);
    expect(result.rejected as number).toBe(2);
    expect(result.brokenVersionsReported).toEqual([3, 4]);
    expect(lines.some((l) => l.startsWith('pipeline:'))).toBe(true);
    await expect(run({ 'fault-rate': '2' }, () => {})).rejects.toThrow(/fault-rate/);
  }, 120_000);
});
