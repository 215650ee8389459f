import { evals, SCENARIO_STRATEGIES } from '@graft/bench';
import { initBackend, tf } from '@graft/runtime';
import { describe, expect, it } from 'vitest';

const { run } = await evals.scenarios();

interface Cell {
  size: string;
  similarity: string;
  strategies: { name: string; k?: number; mean: number; sd: number; accs: number[] }[];
  best: { name: string; mean: number };
  advisor: { strategy: string; similarityScore: number };
  advisorWithinOneSd: boolean;
}

// A quick variant of `graft eval scenarios`: a source CNN developed on 300 Fashion-MNIST images of classes 0–4,
// then every strategy in the four cells on a handful of images (the full run takes ~25 minutes).
describe('eval scenarios (quick variant)', () => {
  it('fills the four cells with every strategy, the best one and the advisor pick, leaking nothing', async () => {
    await initBackend();
    const before = tf.memory().numTensors;
    const result = await run(
      {
        'source-train': '300',
        'source-epochs': '1',
        test: '10',
        seeds: '2',
        small: '4',
        large: '10',
        epochs: '2',
        'large-epochs': '1',
      },
      () => {},
    );
    const cells = result.cells as Cell[];
    expect(cells.map((c) => `${c.size}/${c.similarity}`)).toEqual([
      'small/similar',
      'small/different',
      'large/similar',
      'large/different',
    ]);
    for (const cell of cells) {
      expect(cell.strategies.map((s) => s.name)).toEqual(SCENARIO_STRATEGIES.map((s) => s.name));
      for (const s of cell.strategies) {
        expect(s.accs).toHaveLength(2);
        expect(s.mean).toBeGreaterThanOrEqual(0);
        expect(s.mean).toBeLessThanOrEqual(1);
        expect(s.sd).toBeGreaterThanOrEqual(0);
      }
      expect(cell.strategies.filter((s) => s.name === 'freeze-k').every((s) => (s.k ?? -1) > 0)).toBe(true);
      expect(cell.best.mean).toBe(Math.max(...cell.strategies.map((s) => s.mean)));
      // 5 classes: chance is 0.2; the best strategy of each cell beats it even on this little data.
      expect(cell.best.mean).toBeGreaterThan(0.25);
      expect(['feature-extraction', 'freeze-k', 'fine-tune', 'scratch']).toContain(cell.advisor.strategy);
      expect(Number.isFinite(cell.advisor.similarityScore)).toBe(true);
    }
    expect(result.advisorWithinOneSd).toBe(cells.filter((c) => c.advisorWithinOneSd).length);
    expect((result.source as { testAccuracy: number }).testAccuracy).toBeGreaterThan(0.4);
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000);

  it('measures only the cells --cells names, and refuses an unknown cell before any work', async () => {
    const quick = {
      'source-train': '100',
      'source-epochs': '1',
      test: '5',
      seeds: '1',
      large: '5',
      'large-epochs': '1',
    };
    const result = await run({ ...quick, cells: 'large-different' }, () => {});
    expect((result.cells as Cell[]).map((c) => `${c.size}/${c.similarity}`)).toEqual(['large/different']);
    expect((result.options as { cells: string[] }).cells).toEqual(['large-different']);
    // The median per class the advisor saw, not the cap asked for.
    expect((result.cells as (Cell & { perClass: number })[])[0]!.perClass).toBe(5);
    await expect(run({ ...quick, cells: 'large-similar,huge-different' }, () => {})).rejects.toThrow(
      /--cells expects a comma list of small-similar, small-different, large-similar, large-different/,
    );
  }, 300_000);
});
