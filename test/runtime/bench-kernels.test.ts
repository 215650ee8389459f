import { benchKernels, tf } from '@graft/runtime';
import { describe, expect, it } from 'vitest';

describe('benchKernels', () => {
  it('compares every kernel case and trains the MNIST CNN on wasm ≥ 20× faster than on cpu', async () => {
    const r = await benchKernels({ steps: 2, batchSize: 16, cpuSteps: 1, cpuBatchSize: 1 });
    expect(r.cases).toBeGreaterThan(150);
    expect(r.maxRelError).toBeGreaterThan(0);
    expect(r.maxRelError).toBeLessThanOrEqual(1e-4);
    expect(r.samplesPerSec.wasm).toBeGreaterThan(0);
    expect(r.samplesPerSec.cpu).toBeGreaterThan(0);
    expect(r.speedup).toBeCloseTo(r.samplesPerSec.wasm / r.samplesPerSec.cpu, 6);
    expect(r.speedup).toBeGreaterThanOrEqual(20);
    expect(tf.getBackend()).toBe('wasm');
  }, 600_000);
});
