import { type JobProgress, progressReporter } from '@graft/jobs';
import { describe, expect, it } from 'vitest';

describe('progressReporter', () => {
  it('writes at once, coalesces until the interval passes (last wins) and flushes what is pending', async () => {
    const written: JobProgress[] = [];
    const progress = progressReporter(async (p) => {
      written.push(p);
    }, 60_000);
    progress.set({ phase: 'index', fraction: 0 });
    progress.set({ phase: 'train', fraction: 0.3, message: 'training' });
    progress.set({ phase: 'train', fraction: 0.5 });
    await progress.flush();
    expect(written).toEqual([
      { phase: 'index', fraction: 0 },
      { phase: 'train', fraction: 0.5, message: 'training' },
    ]);
    await progress.flush();
    expect(written).toHaveLength(2);
  });

  it('keeps writing after a failed write and says how long each phase took', async () => {
    let calls = 0;
    const progress = progressReporter(async () => {
      calls++;
      if (calls === 1) throw new Error('store down');
    }, 0);
    progress.set({ phase: 'advise', fraction: 0.02 });
    await progress.flush();
    progress.set({ phase: 'train', fraction: 0.3 });
    await progress.flush();
    expect(calls).toBe(2);
    const seconds = progress.phaseSeconds();
    expect(Object.keys(seconds)).toEqual(['advise', 'train']);
    for (const s of Object.values(seconds)) expect(s).toBeGreaterThanOrEqual(0);
  });
});
