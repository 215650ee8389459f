import { benches } from '@graft/bench';
import { initBackend, tf } from '@graft/runtime';
import { describe, expect, it } from 'vitest';

const { run } = await benches.train();

// Quick variant of `graft bench train`: one tiny round per backend and model; shape and sanity, not speed.
describe('bench train (quick variant)', () => {
  it('fits the MNIST CNN and MobileNetV2 blocks 14–16 + head on wasm and cpu, leaking nothing', async () => {
    await initBackend({ backend: 'wasm' });
    const before = tf.memory().numTensors;
    const r = await run({ rounds: '1', steps: '1', batch: '8', 'cpu-samples': '1' }, () => {});
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.getBackend()).toBe('wasm');
    const sps = r.samplesPerSec as { wasm: number; cpu: number };
    expect(sps.wasm).toBeGreaterThan(0);
    expect(sps.cpu).toBeGreaterThan(0);
    expect(r.topLevel).toBe('mnist-cnn');
    expect(r.upperCut).toBe('block_13_project_BN');
    const rows = r.rows as { model: string; wasm: number; cpu: number; speedup: number }[];
    expect(rows.map((row) => row.model)).toEqual(['mnist-cnn', 'mobilenet_v2-blocks14-16+head']);
    for (const row of rows) {
      expect(row.wasm).toBeGreaterThan(0);
      expect(row.cpu).toBeGreaterThan(0);
      expect(row.speedup).toBeGreaterThan(0);
    }
    expect(r.speedup).toBe(rows[0]!.speedup);
    expect(r.geomeanSpeedup).toBeGreaterThan(0);
  }, 180_000);
});
