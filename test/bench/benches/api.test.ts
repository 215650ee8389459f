import { benches } from '@graft/bench';
import { initBackend, tf } from '@graft/runtime';
import { describe, expect, it } from 'vitest';

const { run } = await benches.api();

// Quick variant of `graft bench api`: a tiny model, one concurrency level for one second.
describe('bench api (quick variant)', () => {
  it('serves predictions from a fresh graft start under autocannon and times raw inference, leaking no tensor per request', async () => {
    await initBackend({ backend: 'wasm' });
    const before = tf.memory().numTensors;
    // graft start's default (the request thread): its model load reports every step; on inference threads the
    // threads build their own copies and the load reports only `read` and `build`
    const r = await run(
      { concurrency: '1', duration: '1', iterations: '3', 'per-class': '6', 'inference-threads': '0' },
      () => {},
    );
    // Nothing leaks per request; disposing the served bundle leaves its 2 head layers' weights (4 tensors): a bug of
    // @graft/core's openBundle (head layers are shared by two models, so model.dispose() keeps them).
    const tensors = r.tensors as { loaded: number; afterRuns: number; leakedByDispose: number };
    expect(tensors.loaded).toBeGreaterThan(0);
    expect(tensors.afterRuns).toBe(tensors.loaded);
    expect(tf.memory().numTensors - before).toBe(tensors.leakedByDispose);
    expect(tensors.leakedByDispose).toBeLessThanOrEqual(4);
    // the bare node:http reference served the same image with the same model (bare-predict-server.ts)
    for (const key of [
      'p50Ms',
      'p99Ms',
      'rps',
      'inferMs',
      'p50Ratio',
      'coldStartMs',
      'rssMb',
      'bareC1Ms',
      'p50C1OverBare',
    ])
      expect(r[key], key).toBeGreaterThan(0);
    expect(r.p99Ms as number).toBeGreaterThanOrEqual(r.p50Ms as number);
    expect(r.coldStartMs as number).toBeGreaterThanOrEqual(r.listeningMs as number);
    // the cold start by phase: the process's own start steps and its first model load, as it reported them
    const coldStart = r.coldStart as { modelLoadMs: number; phasesMs: Record<string, number> };
    for (const phase of [
      'node',
      'imports',
      's3',
      'listen',
      'load:read',
      'load:build',
      'load:open',
      'load:warmup',
    ])
      expect(coldStart.phasesMs[phase], phase).toBeGreaterThanOrEqual(0);
    expect(coldStart.modelLoadMs).toBeLessThan(r.coldStartMs as number);
    const rows = r.rows as { concurrency: number; requests: number }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.concurrency).toBe(1);
    expect(rows[0]!.requests).toBeGreaterThan(0);
    expect(r.inferenceThreads).toBe(0);
  }, 180_000);
});
