import { disposeBackbones } from '@graft/backbones';
import { evals } from '@graft/bench';
import { initBackend, tf } from '@graft/runtime';
import { describe, expect, it } from 'vitest';

const { run } = await evals['product-scenarios']();

// Quick variant of `graft eval product-scenarios`: tiny cells, one sample, two epochs, the whole product path.
describe('eval product-scenarios (quick variant)', () => {
  it('develops a source as a job, registers it, and trains auto and every strategy on it in four cells', async () => {
    await initBackend();
    const before = tf.memory().numTensors;
    const r = (await run(
      {
        small: '6',
        large: '12',
        seeds: '1',
        epochs: '1',
        'source-train': '60',
        'source-epochs': '2',
        test: '10',
        'budget-seconds': '5',
      },
      () => {},
    )) as {
      source: { backbone: string; hasSourceStats: boolean };
      cells: {
        size: string;
        similarity: string;
        strategies: Record<string, { mean: number }>;
        autoPicks: string[];
        autoScenarios: (number | undefined)[];
        autoRaces: {
          strategy: string;
          valAccuracy?: number;
          skipped?: string;
          estimatedSeconds?: number;
        }[][];
        similarityScores: number[];
        failures: { code: string }[];
      }[];
    };
    expect(r.source).toMatchObject({ backbone: 'fashion-src', hasSourceStats: true });
    expect(r.cells.map((c) => `${c.size}-${c.similarity}`)).toEqual([
      'small-similar',
      'small-different',
      'large-similar',
      'large-different',
    ]);
    for (const cell of r.cells) {
      expect(Object.keys(cell.strategies)).toEqual([
        'auto',
        'feature-extraction',
        'freeze-k conv1',
        'fine-tune',
        'scratch',
      ]);
      expect(cell.autoPicks).toHaveLength(1);
      // Measured unlike the source (scenario 2 or 3: tiny cells measure noisily), fine-tuning may beat the cheap
      // heads: it joins the race, estimated before it starts.
      const fineTune = cell.autoRaces[0]!.find((c) => c.strategy === 'fine-tune');
      if (cell.autoScenarios[0] === 2 || cell.autoScenarios[0] === 3) {
        expect(fineTune?.estimatedSeconds).toBeGreaterThan(0);
        expect(fineTune?.valAccuracy !== undefined || /^estimated/.test(fineTune?.skipped ?? '')).toBe(true);
      }
      expect(cell.failures.filter((f) => f.code !== 'no_learning')).toEqual([]);
      expect(cell.similarityScores[0]).toBeGreaterThanOrEqual(0);
    }
    await disposeBackbones();
    expect(tf.memory().numTensors).toBe(before);
  });
});
