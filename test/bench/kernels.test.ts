import { benchKernels } from '@graft/bench';
import { tf } from '@graft/runtime';
import { describe, expect, it } from 'vitest';

describe('benchKernels', () => {
  it('compares every kernel case against the reference and times MNIST CNN training on wasm and cpu (speed goals live in npm run bench)', async () => {
    const r = await benchKernels({ steps: 2, batchSize: 16, cpuSteps: 1, cpuBatchSize: 1 });
    expect(r.cases).toBeGreaterThan(150);
    expect(r.maxRelError).toBeGreaterThan(0);
    expect(r.maxRelError).toBeLessThanOrEqual(1e-4);
    expect(r.samplesPerSec.wasm).toBeGreaterThan(0);
    expect(r.samplesPerSec.cpu).toBeGreaterThan(0);
    expect(r.speedup).toBeCloseTo(r.samplesPerSec.wasm / r.samplesPerSec.cpu, 6);
    expect(tf.getBackend()).toBe('wasm');
  }, 600_000);
});
