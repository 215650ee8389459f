import { benches } from '@graft/bench';
import { initBackend, tf } from '@graft/runtime';
import { describe, expect, it } from 'vitest';

const { run } = await benches.trunk();

// Quick variant of `graft bench trunk`: shape and sanity of the result, not speed (the machine is shared).
describe('bench trunk (quick variant)', () => {
  it('times compiled vs layers vs cpu at 96 px and counts FLOPs and the matmul peak, leaking nothing', async () => {
    await initBackend({ backend: 'wasm' });
    const before = tf.memory().numTensors;
    const logs: string[] = [];
    const r = await run(
      { sizes: '96', batches: '1,2', iterations: '2', 'cpu-images': '1', 'peak-sizes': '256' },
      (m) => logs.push(m),
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.getBackend()).toBe('wasm');
    expect(logs.length).toBeGreaterThan(0);
    const ms = r.msPerImage as { compiled: number; layers: number; cpu: number | null };
    expect(r.inputSize).toBe(96);
    expect(ms.compiled).toBeGreaterThan(0);
    expect(ms.layers).toBeGreaterThan(0);
    expect(ms.cpu).toBeGreaterThan(0);
    expect(r.speedupVsLayers).toBeCloseTo(ms.layers / ms.compiled, 1);
    expect(r.speedupVsCpu).toBeGreaterThan(0);
    expect(r.peakGflops).toBeGreaterThan(0);
    expect(r.peakShare).toBeGreaterThan(0);
    const rows = r.rows as {
      inputSize: number;
      batch: number;
      compiled: number;
      layers: number;
      cpu?: number;
      mflops: number;
    }[];
    expect(rows.map((row) => [row.inputSize, row.batch])).toEqual([
      [96, 1],
      [96, 2],
    ]);
    expect(rows[0]!.cpu).toBeGreaterThan(0);
    expect(rows[1]!.cpu).toBeUndefined();
    // MobileNetV2 is ~300 M multiply-adds at 224 px; at 96 px the trunk is (96/224)² of that: ~110 MFLOP.
    expect(rows[0]!.mflops).toBeGreaterThan(90);
    expect(rows[0]!.mflops).toBeLessThan(130);
  }, 120_000);

  it('rejects a malformed size list with a usage error', async () => {
    await expect(run({ sizes: '96,abc' }, () => {})).rejects.toMatchObject({ name: 'UsageError' });
  });
});
