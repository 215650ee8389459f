import { describe, expect, it } from 'vitest';
import { renderBenchmarks } from '../../../packages/bench/src/benches/benchmarks-md.js';
import {
  fashionFeaturesRow,
  productScenariosSection,
} from '../../../packages/bench/src/benches/benchmarks-transfer-choices.js';

const cell = (size: string, best: string, autoMean: number) => ({
  size,
  similarity: 'similar',
  best,
  autoPicks: ['feature extraction', 'feature extraction'],
  strategies: {
    auto: { mean: autoMean, sd: 0.001, runs: [autoMean, autoMean] },
    'feature-extraction': { mean: 0.959, sd: 0.0014, runs: [0.958, 0.96] },
  },
});

describe("issue 14's parts of BENCHMARKS.md", () => {
  it('lists each product-path cell: auto beside the explicit jobs, its runs, the best and what auto served', () => {
    const md = productScenariosSection({
      settings: {
        seeds: 2,
        small: 20,
        large: 500,
        sourceTrain: 2000,
        sourceEpochs: 4,
        epochs: 4,
        budgetSeconds: 120,
      },
      cells: [cell('large', 'feature-extraction', 0.939)],
    });
    expect(md).toContain('## The four scenarios through the product path, measured');
    expect(md).toContain(
      '| large × similar | auto | 0.9390 ± 0.0010 | 0.939, 0.939 |  | feature extraction, feature extraction |',
    );
    expect(md).toContain('| large × similar | feature-extraction | 0.9590 ± 0.0014 | 0.958, 0.960 | ✓ |  |');
    expect(productScenariosSection(undefined)).toBe('');
  });

  it('judges fashion feature extraction on the better of the cut alone and the cut with its taps', () => {
    const result = {
      cut: 'block_13_expand_relu',
      inputSize: 96,
      taps: ['block_3_expand_relu', 'block_6_expand_relu'],
      trainImages: 60000,
      testImages: 10000,
    };
    const below = fashionFeaturesRow({ ...result, cutAlone: 0.89, withTaps: 0.905 }, 0.91);
    expect(below.ours).toBe('0.8900 alone / 0.9050 with block_3_expand_relu, block_6_expand_relu');
    expect(below.met).toBe(false);
    expect(fashionFeaturesRow({ ...result, cutAlone: 0.89, withTaps: 0.912 }, 0.91).met).toBe(true);
    expect(fashionFeaturesRow(undefined, 0.91).met).toBeUndefined();
    expect(renderBenchmarks({})).toContain('not run yet (`graft eval fashion-features --out`)');
  });
});
