import { describe, expect, it } from 'vitest';
import { createApp, ServingCache } from '../../../functions/api/src/index.js';
import { auth, grayPng, MemoryJobs, MemoryModelSource, RecordingRunner, TOKEN } from './fakes.js';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('ServingCache', () => {
  it('loads lazily, warms up once, and shares one load between concurrent first requests', async () => {
    const source = new MemoryModelSource().add('digits', 1, { serve: true });
    source.loadDelayMs = 30;
    const serving = new ServingCache(source, { refreshMs: 5000 });
    expect(source.loadCount).toBe(0);
    const leases = await Promise.all(Array.from({ length: 8 }, () => serving.acquire('digits')));
    expect(source.loadCount).toBe(1);
    expect(source.loaded[0]?.warmups).toBe(1);
    expect(source.loaded[0]?.calls).toBe(0);
    expect(new Set(leases.map((l) => l.model)).size).toBe(1);
    expect(leases.every((l) => l.version === 1)).toBe(true);
    for (const l of leases) l.release();
    expect(serving.status()).toMatchObject([{ name: 'digits', version: 1, loading: false }]);
  });

  it('re-reads current.json at most every refreshMs and swaps in the background', async () => {
    const source = new MemoryModelSource().add('digits', 1, { serve: true }).add('digits', 2);
    const t = clock();
    const serving = new ServingCache(source, { refreshMs: 5000, now: t.now });
    (await serving.acquire('digits')).release();
    for (let i = 0; i < 20; i++) (await serving.acquire('digits')).release();
    expect(source.getCurrentCount).toBe(1);

    await source.promote('digits', 2);
    t.advance(4999);
    (await serving.acquire('digits')).release();
    await serving.settled('digits');
    expect(source.getCurrentCount).toBe(1);

    t.advance(1);
    const during = await serving.acquire('digits');
    expect(during.version).toBe(1); // the request that notices does not wait for the new load
    await serving.settled('digits');
    expect(source.getCurrentCount).toBe(2);
    const after = await serving.acquire('digits');
    expect(after.version).toBe(2);
    // v1 is still leased by `during`: not disposed until it is released
    const [v1, v2] = source.loaded;
    expect(v1?.disposed).toBe(false);
    during.release();
    expect(v1?.disposed).toBe(true);
    after.release();
    expect(v2?.disposed).toBe(false);
  });

  it('keeps serving the old version when the new one fails to load, reports it, and recovers', async () => {
    const source = new MemoryModelSource()
      .add('digits', 1, { serve: true })
      .add('digits', 2, { broken: 'model.json: unexpected token' })
      .add('digits', 3);
    const t = clock();
    const serving = new ServingCache(source, { refreshMs: 1000, now: t.now });
    (await serving.acquire('digits')).release();
    await source.promote('digits', 2);
    t.advance(1000);
    (await serving.acquire('digits')).release();
    await serving.settled('digits');
    const lease = await serving.acquire('digits');
    expect(lease.version).toBe(1);
    lease.release();
    expect(source.loaded[0]?.disposed).toBe(false);
    expect(serving.status()).toMatchObject([
      { name: 'digits', version: 1, lastError: { version: 2, message: 'model.json: unexpected token' } },
    ]);

    await source.promote('digits', 3);
    t.advance(1000);
    await serving.refresh('digits');
    const fixed = await serving.acquire('digits');
    expect(fixed.version).toBe(3);
    fixed.release();
    expect(serving.status()[0]?.lastError).toBeUndefined();
    expect(source.loaded[0]?.disposed).toBe(true);
  });

  it('backs off from a broken new version (doubling from refreshMs) while the old one serves', async () => {
    const source = new MemoryModelSource()
      .add('digits', 1, { serve: true })
      .add('digits', 2, { broken: 'bad' });
    const t = clock();
    const serving = new ServingCache(source, { refreshMs: 1000, maxRetryMs: 4000, now: t.now });
    (await serving.acquire('digits')).release();
    await source.promote('digits', 2);
    const loadsAt: number[] = [];
    for (let second = 1; second <= 16; second++) {
      t.advance(1000);
      const before = source.loadCount;
      (await serving.acquire('digits')).release();
      await serving.settled('digits');
      if (source.loadCount > before) loadsAt.push(second);
    }
    // failures at 1, 2 (wait 1 s), 4 (2 s), 8 (4 s), then every 4 s (the cap)
    expect(loadsAt).toEqual([1, 2, 4, 8, 12, 16]);
    expect(source.getCurrentCount).toBe(17); // the pointer itself is still read every refreshMs
    expect(serving.status()[0]).toMatchObject({ version: 1, lastError: { version: 2, attempts: 6 } });
  });

  it('does not retry a failed first load on every request (at most once per refresh interval)', async () => {
    const source = new MemoryModelSource().add('digits', 1, { serve: true, broken: 'corrupt' });
    const t = clock();
    const serving = new ServingCache(source, { refreshMs: 1000, now: t.now });
    for (let i = 0; i < 5; i++)
      await expect(serving.acquire('digits')).rejects.toMatchObject({ code: 'model_unavailable' });
    expect(source.loadCount).toBe(1);
    t.advance(1000);
    await expect(serving.acquire('digits')).rejects.toMatchObject({ code: 'model_unavailable' });
    expect(source.loadCount).toBe(2);
  });

  it('keeps serving when the pointer cannot be read', async () => {
    const source = new MemoryModelSource().add('digits', 1, { serve: true });
    const t = clock();
    const serving = new ServingCache(source, { refreshMs: 10, now: t.now });
    (await serving.acquire('digits')).release();
    source.getCurrent = async () => {
      throw new Error('S3 unavailable');
    };
    t.advance(10);
    await serving.refresh('digits');
    const lease = await serving.acquire('digits');
    expect(lease.version).toBe(1);
    lease.release();
    expect(serving.status()[0]?.lastError?.message).toBe('S3 unavailable');
  });

  it('keeps no state for names of models that do not exist', async () => {
    const source = new MemoryModelSource().add('digits', 1);
    const serving = new ServingCache(source);
    for (const name of ['a', 'b', 'c'])
      await expect(serving.acquire(name)).rejects.toMatchObject({ code: 'model_not_found' });
    await expect(serving.acquire('digits')).rejects.toMatchObject({ code: 'no_serving_version' });
    expect(serving.status().map((s) => s.name)).toEqual(['digits']);
  });
});

describe('swap through the HTTP API', () => {
  it('finishes in-flight requests on the old version, serves the promoted one after the refresh', async () => {
    const models = new MemoryModelSource().add('digits', 1, { serve: true }).add('digits', 2);
    models.inferDelayMs = 80;
    const app = createApp({
      models,
      jobs: new MemoryJobs(),
      runner: new RecordingRunner(),
      token: TOKEN,
      refreshMs: 20,
      defaultModel: 'digits',
    });
    const png = await grayPng(200);
    const predict = async () => {
      const res = await app.request('/v1/models/digits/predict', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'image/png' },
        body: png,
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { version: number }).version;
    };
    expect(await predict()).toBe(1);
    const slow = predict(); // holds v1 for ~80 ms
    await new Promise((r) => setTimeout(r, 5));
    const promote = await app.request('/v1/models/digits/promote', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ version: 2 }),
    });
    expect(promote.status).toBe(200);
    // the next request notices the new pointer; poll until the background load has swapped
    const seen: number[] = [];
    for (let i = 0; i < 50 && seen.at(-1) !== 2; i++) seen.push(await predict());
    expect(seen.at(-1)).toBe(2);
    expect(await slow).toBe(1); // finished on v1 although v2 was swapped in meanwhile
    expect(models.loaded[0]?.disposed).toBe(true);
    const ready = (await (await app.request('/ready')).json()) as { ready: boolean; models: unknown[] };
    expect(ready).toMatchObject({ ready: true, models: [{ name: 'digits', version: 2 }] });
  });
});
