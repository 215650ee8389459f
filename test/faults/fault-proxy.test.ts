/**
 * The fault proxy in front of the embedded S3, driven by the real S3 client through S3BlobStore.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type FaultProxy, startFaultProxy } from '@graft/bench';
import { seededRandom } from '@graft/core';
import { s3ClientFor } from '@graft/local-aws';
import { type LocalS3, S3BlobStore, startLocalS3, TransientStorageError } from '@graft/storage';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

let dir: string;
let s3: LocalS3;
let direct: S3BlobStore;
let proxy: FaultProxy | undefined;

const storeVia = (p: FaultProxy, maxAttempts = 1) =>
  new S3BlobStore(
    s3ClientFor({
      endpoint: p.url,
      bucket: s3.bucket,
      region: 'us-east-1',
      credentials: s3.credentials,
      maxAttempts,
    }),
    s3.bucket,
  );

/** A proxy in front of `s3`, whose address the server accepts as a Host (the client signs the proxy's). */
async function startProxy(options: Parameters<typeof startFaultProxy>[0]): Promise<FaultProxy> {
  const started = await startFaultProxy(options);
  s3.allowHost(new URL(started.url).host);
  return started;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'graft-fault-proxy-'));
  s3 = await startLocalS3({ dir, bucket: 'graft-proxy' });
  direct = new S3BlobStore(s3.client, s3.bucket);
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});
afterAll(async () => {
  await s3?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('fault proxy', () => {
  it('at rate 0 it is transparent: writes, reads, lists and heads pass through and are logged', async () => {
    proxy = await startProxy({ target: s3.endpoint });
    const store = storeVia(proxy);
    await store.put('a/b c+d.txt', 'hello');
    expect(new TextDecoder().decode(await store.get('a/b c+d.txt'))).toBe('hello');
    expect((await store.head('a/b c+d.txt'))?.size).toBe(5);
    expect(proxy.counts).toMatchObject({ totalInjected: 0, requests: proxy.counts.forwarded });
    expect(proxy.log.map((r) => r.method)).toEqual(['PUT', 'GET', 'HEAD']);
    expect(proxy.log[0]?.path).toMatch(/^\/graft-proxy\/a\/b%20c%2Bd\.txt(\?|$)/);
  });

  it('injects 500 and 503 without forwarding: the object is not written and the client sees a transient error', async () => {
    proxy = await startProxy({ target: s3.endpoint, rate: 1, kinds: ['error500', 'error503'] });
    const store = storeVia(proxy);
    const errors = [];
    for (let i = 0; i < 6; i++) errors.push(await store.put(`e/${i}`, 'x').catch((e: unknown) => e));
    expect(errors.every((e) => e instanceof TransientStorageError)).toBe(true);
    expect(proxy.counts.forwarded).toBe(0);
    expect(proxy.counts.injected.error500 + proxy.counts.injected.error503).toBe(6);
    expect(proxy.counts.injected.error500).toBeGreaterThan(0);
    expect(proxy.counts.injected.error503).toBeGreaterThan(0);
    expect(await direct.head('e/0')).toBeUndefined();
  });

  it('a reset comes after the upstream did the work: the write happened, the client only sees an error', async () => {
    proxy = await startProxy({ target: s3.endpoint, rate: 1, kinds: ['reset'] });
    const error = await storeVia(proxy)
      .put('r/written.txt', 'done')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(proxy.counts.injected.reset).toBe(1);
    expect(new TextDecoder().decode(await direct.get('r/written.txt'))).toBe('done');
  });

  it('slow responses are delayed by slowMs and still succeed', async () => {
    proxy = await startProxy({ target: s3.endpoint, rate: 1, kinds: ['slow'], slowMs: 300 });
    const t0 = performance.now();
    await storeVia(proxy).put('s/slow.txt', 'late');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    expect(proxy.counts.injected.slow).toBe(1);
  });

  it('the SDK retries absorb faults when allowed (maxAttempts 4, 30% faults); the same seed gives the same faults', async () => {
    const run = async () => {
      const p = await startProxy({
        target: s3.endpoint,
        rate: 0.3,
        seed: 99,
        kinds: ['error500', 'reset'],
      });
      const store = storeVia(p, 4);
      for (let i = 0; i < 12; i++) await store.put(`retry/${i}`, String(i));
      const faults = p.log.map((r) => r.fault ?? '-').join(',');
      await p.close();
      return { faults, injected: p.counts.totalInjected };
    };
    const first = await run();
    const second = await run();
    expect(first.injected).toBeGreaterThan(0);
    expect(second.faults).toBe(first.faults);
    for (let i = 0; i < 12; i++)
      expect(new TextDecoder().decode(await direct.get(`retry/${i}`))).toBe(String(i));
  });

  it('seededRandom is deterministic per seed; only loopback targets are accepted', async () => {
    const a = seededRandom(3);
    const b = seededRandom(3);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
    await expect(startFaultProxy({ target: 'http://10.0.0.1:9000' })).rejects.toThrow(/loopback/);
  });
});
