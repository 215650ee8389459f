import { disposeBackbones } from '@graft/backbones';
import { evals } from '@graft/bench';
import { initBackend, tf } from '@graft/runtime';
import { describe, expect, it } from 'vitest';

const { run } = await evals['small-data']();

// Quick variant of `graft eval small-data`: 5 images per class, one sample, two strategies, through the job path.
describe('eval small-data (quick variant)', () => {
  it('imports, extracts and trains auto and the pooled-head baseline as jobs, and judges each row', async () => {
    await initBackend();
    const before = tf.memory().numTensors;
    const r = (await run(
      { sizes: '5', seeds: '1', strategies: 'auto,pooled', test: '5', 'budget-seconds': '5' },
      () => {},
    )) as {
      rows: {
        source: string;
        perClass: number;
        best: string;
        autoWithinOneSdOfBest: boolean;
        strategies: Record<string, { mean: number }>;
      }[];
      totalRows: number;
    };
    expect(r.totalRows).toBe(2);
    expect(r.rows.map((row) => [row.source, row.perClass])).toEqual([
      ['fashion', 5],
      ['mnist', 5],
    ]);
    for (const row of r.rows) {
      expect(Object.keys(row.strategies)).toEqual(['auto', 'pooled']);
      // Better than chance (0.1) on 50 test images: each job passed its own check and published.
      expect(row.strategies.auto!.mean).toBeGreaterThan(0.3);
      expect(typeof row.autoWithinOneSdOfBest).toBe('boolean');
    }
    // The extract code keeps each backbone loaded for the life of the process (once per Lambda container).
    await disposeBackbones();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses an unknown strategy', async () => {
    await expect(run({ strategies: 'auto,magic' }, () => {})).rejects.toMatchObject({ code: 'usage' });
  });
});
