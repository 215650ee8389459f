import { benches } from '@graft/bench';
import { initBackend, tf } from '@graft/runtime';
import { describe, expect, it } from 'vitest';

const { run } = await benches.pipeline();

// Quick variant of `graft bench pipeline`: a handful of digits through the embedded runtime with one worker.
describe('bench pipeline (quick variant)', () => {
  it('stores a feature for every upload and reports throughput against the raw trunk, leaking nothing', async () => {
    await initBackend({ backend: 'wasm' });
    const before = tf.memory().numTensors;
    const r = await run({ images: '6', workers: '1', iterations: '3', 'input-size': '96' }, () => {});
    expect(tf.memory().numTensors).toBe(before);
    expect(r.workers).toBe(1);
    expect(r.imagesPerSec).toBeGreaterThan(0);
    expect(r.rawImagesPerSec).toBeGreaterThan(0);
    expect(Number.isFinite(r.overheadPct)).toBe(true);
    const rows = r.rows as { workers: number; features: number; startupSeconds: number }[];
    expect(rows).toHaveLength(1);
    // 8 warm-up digits plus the 6 timed ones, each with its own feature object.
    expect(rows[0]!.features).toBe(14);
    expect(rows[0]!.startupSeconds).toBeGreaterThan(0);
    const anatomy = r.anatomyMs as Record<string, number>;
    for (const step of [
      'uploadPutMs',
      'getMs',
      'decodeMs',
      'trunkMs',
      'featureHeadMs',
      'featurePutMs',
      'totalMs',
    ])
      expect(anatomy[step], step).toBeGreaterThan(0);
  }, 180_000);
});
