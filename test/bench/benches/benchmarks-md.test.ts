import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderBenchmarks, writeBenchmarksMd } from '@graft/bench';
import { describe, expect, it } from 'vitest';

const machine = { cpu: 'Test CPU', cores: 2, node: 'v20.0.0', platform: 'linux-x64' };

describe('BENCHMARKS.md', () => {
  it('puts our numbers beside the anchors and says which targets are met', () => {
    const md = renderBenchmarks({
      trunk: {
        msPerImage: { compiled: 59, layers: 148, cpu: 3239 },
        speedupVsLayers: 2.5,
        peakShare: 0.31,
        peakGflops: 40,
        machine,
        date: '2026-11-27T20:00:00.000Z',
        seconds: 120,
      },
      api: { p50Ms: 80, inferMs: 50, p50Ratio: 1.6, p99Ms: 120, coldStartMs: 3000, rssMb: 400 },
      fashion: { featureExtraction: 0.915, freezeK: 0.921 },
    });
    const line = (what: string) => md.split('\n').find((l) => l.startsWith(`| ${what}`)) ?? '';
    expect(line('MobileNetV2 trunk, 224 px')).toContain('59.0 / 148.0 / 3239');
    expect(line('compiled trunk vs tfjs-layers')).toMatch(/2\.50× \| target ≥ 1\.5× \| yes \|$/);
    expect(line("trunk's share")).toContain('31.0 %');
    expect(line('API p50')).toMatch(/\| no \|$/);
    expect(line('Fashion-MNIST, feature extraction')).toMatch(/0\.9150 .*\| yes \|$/);
    expect(line('Fashion-MNIST, freeze-k')).toMatch(/0\.9210 .*\| no \|$/);
    // Not run: said plainly, with the command that runs it, and no verdict.
    expect(line('pipeline')).toContain('not run yet (`graft bench pipeline --out`)');
    expect(line('pipeline')).toMatch(/\| {2}\|$/);
    expect(line('four scenarios')).toContain('`graft eval scenarios --out`');
    expect(md).toContain('| trunk | 2026-11-27 20:00 | 120 s | Test CPU, 2 cores, v20.0.0 |');
  });

  it('renders the scenario table and marks the best strategy and the advisor pick', () => {
    const md = renderBenchmarks({
      scenarios: {
        advisorWithinOneSd: 4,
        cells: [
          {
            size: 'small',
            similarity: 'similar',
            best: 'feature-extraction',
            advisor: { strategy: 'feature-extraction' },
            strategies: [
              { name: 'feature-extraction', mean: 0.8, sd: 0.01 },
              { name: 'scratch', mean: 0.5, sd: 0.05 },
            ],
          },
          {
            size: 'large',
            similarity: 'different',
            best: { name: 'freeze-k', mean: 0.9 },
            advisor: { strategy: 'freeze-k', k: 4 },
            strategies: [
              { name: 'freeze-k', k: 2, mean: 0.9, sd: 0.01 },
              { name: 'freeze-k', k: 4, mean: 0.85, sd: 0.01 },
            ],
          },
        ],
      },
    });
    expect(md).toContain('| small × similar | feature-extraction | 0.8000 ± 0.0100 | ✓ | ◆ |');
    // The best and the pick are told apart by k too.
    expect(md).toContain('| large × different | freeze-k k=2 | 0.9000 ± 0.0100 | ✓ |  |');
    expect(md).toContain('| large × different | freeze-k k=4 | 0.8500 ± 0.0100 |  | ◆ |');
    expect(md).toContain('| small × similar | scratch | 0.5000 ± 0.0500 |  |  |');
    expect(md).toMatch(/4 of 4 \| target 4 of 4 \| yes \|/);
  });

  it('explains each missed target from its own measurements, and says nothing when targets are met', () => {
    const missed = renderBenchmarks({
      pipeline: {
        overheadPct: 90,
        config: { inputSize: 96 },
        machine,
        anatomyMs: { uploadPutMs: 5, getMs: 4, featureHeadMs: 3, featurePutMs: 8, trunkMs: 17, decodeMs: 1 },
      },
      'mnist-transfer': { targetAccuracy: 0.985, targetTrainImages: 3894, targetTestImages: 975 },
      fashion: {
        featureExtraction: 0.89,
        freezeK: 0.8,
        k: 151,
        cut: 'block_16_project_BN',
        trainImages: 60000,
      },
      train: { rows: [{ model: 'mobilenet_v2-blocks14-16+head', wasm: 20 }] },
      scenarios: {
        advisorWithinOneSd: 3,
        thresholds: { largePerClass: 1000, similarFeatureScore: 0.34 },
        cells: [
          {
            size: 'small',
            similarity: 'similar',
            best: { name: 'freeze-k', k: 2, mean: 0.9 },
            advisor: {
              strategy: 'feature-extraction',
              similarityScore: 0.3316,
              similarityMethod: 'feature-statistics',
            },
            advisorWithinOneSd: false,
            strategies: [
              { name: 'feature-extraction', mean: 0.85, sd: 0.01 },
              { name: 'freeze-k', k: 2, mean: 0.9, sd: 0.01 },
            ],
          },
          { size: 'large', similarity: 'similar', perClass: 100, advisorWithinOneSd: true, strategies: [] },
        ],
      },
    });
    const why = missed.slice(
      missed.indexOf('## Why a target is missed'),
      missed.indexOf('## The four scenarios'),
    );
    expect(why).toContain(
      'upload PUT 5.0 ms, GET 4.0 ms, HEAD 3.0 ms, feature PUT 8.0 ms: 20.0 ms) against 17.0 ms of trunk',
    );
    expect(why).toContain('the target trains on 3894 digits 5–9 and is scored on 975');
    expect(why).toContain('±0.0039, so 0.9850 is 1.8 sd below');
    expect(why).toContain('**Fashion-MNIST, feature extraction.**');
    expect(why).toContain('20.0 samples/s on WASM here, 50 min an epoch over 60000 images');
    expect(why).toContain(
      'picked feature-extraction (0.8500 ± 0.0100); freeze-k k=2 did best (0.9000 ± 0.0100)',
    );
    expect(why).toContain('It measured similarity 0.332 (feature-statistics; similar up to 0.34).');
    expect(why).toContain(
      'large × similar cell** has 100 training images per class (median), fewer than the 1000',
    );

    const met = renderBenchmarks({
      pipeline: { overheadPct: 20, anatomyMs: { trunkMs: 17 } },
      fashion: { featureExtraction: 0.92, freezeK: 0.94 },
      scenarios: { advisorWithinOneSd: 4, thresholds: { largePerClass: 1000 }, cells: [] },
    });
    expect(met).not.toContain('## Why a target is missed');
  });

  it('writes BENCHMARKS.md from the result files', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'graft-bench-md-'));
    try {
      await mkdir(path.join(root, 'test/bench/results'), { recursive: true });
      await writeFile(
        path.join(root, 'test/bench/results/train.json'),
        JSON.stringify({ samplesPerSec: { wasm: 60, cpu: 0.2 }, speedup: 300, machine }),
      );
      const file = await writeBenchmarksMd(root);
      const md = await readFile(file, 'utf8');
      expect(md).toContain('60.0 vs 0.20 = 300×');
      expect(md).toMatch(/target ≥ 20× \| yes \|/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
